// The flow definition JSON (spec §1) and the console API shapes (CONSOLE_API.md).

export interface Offset {
  x: number;
  y: number;
}

export interface Condition {
  friendly_name: string;
  arguments: string[];
  type: string;
  value: string;
}

export interface Transition {
  event: string;
  next?: string;
  conditions?: Condition[];
}

export interface State {
  name: string;
  type: string;
  transitions: Transition[];
  properties: Record<string, unknown> & { offset?: Offset };
}

export interface FlowDefinition {
  description?: string;
  states: State[];
  initial_state: string;
  flags?: { allow_concurrent_calls: boolean };
  [key: string]: unknown;
}

export interface PropSchema {
  name: string;
  type: string;
  required: boolean;
  label?: string;
  description?: string;
  enum?: string[];
  open_enum?: boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  liquid: boolean;
  string_encoded?: boolean;
  items?: { type: string; properties?: PropSchema[] };
  properties?: PropSchema[];
}

export interface CatalogueEntry {
  type: string;
  family: string;
  label: string;
  description: string;
  legacy: boolean;
  channel: string;
  rest_only?: boolean;
  name_prefix?: string;
  properties: PropSchema[];
  open_properties?: boolean;
  events: string[];
  repeatable_events?: string[];
  defaults: Record<string, unknown>;
  default_transitions?: Transition[];
  outputs: string[];
  open_outputs?: boolean;
  /** Split Based On only: the schema of one condition (its `type` enum lists the operators). */
  condition_schema?: { type: string; properties: PropSchema[]; valueless_operators?: Record<string, string> };
}

export interface Problem {
  message: string;
  property_path: string;
  code?: string;
}

export interface FlowSummary {
  sid: string;
  friendly_name: string;
  status: string;
  revision: number;
  published_revision: number | null;
  valid: boolean;
  date_created: string;
  date_updated: string;
  widget_count: number;
}

export interface FlowDetail extends FlowSummary {
  definition: FlowDefinition;
  errors: Problem[];
  warnings: Problem[];
  commit_message: string | null;
  webhook_url?: string;
  /** Numbers / identities allowed to run a draft (PATCH, no new revision). */
  test_users?: string[];
}

export interface RevisionSummary {
  revision: number;
  status: string;
  commit_message: string | null;
  author?: string | null;
  valid: boolean;
  date_created: string;
}

export interface RevisionDetail extends RevisionSummary {
  definition: FlowDefinition;
  errors: Problem[];
  warnings: Problem[];
}

export interface FlowDiff {
  from: number;
  to: number;
  logic: {
    added: string[];
    removed: string[];
    changed: { name: string; fields: string[] }[];
    transitions: {
      added: { from: string; event: string; to: string }[];
      removed: { from: string; event: string; to: string }[];
    };
  };
  layout: { moved: { name: string; from: Offset; to: Offset }[] };
  flow_changed?: Record<string, unknown>;
}
