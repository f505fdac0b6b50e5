from __future__ import annotations

from studio.widgets.base import Prop, Widget, kv_array

CARD_TYPES = (
    "visa",
    "master-card",
    "mastercard",
    "amex",
    "maestro",
    "discover",
    "optima",
    "jcb",
    "diners-club",
    "enroute",
)


class CapturePayments(Widget):
    type = "capture-payments"
    family = "Voice"
    label = "Capture Payments"
    description = "Collect card or ACH details over the phone with <Pay> (PCI mode, Stripe connector)."
    channel = "voice"
    properties = [
        Prop("payment_connector", "string", liquid=True, default="Default", label="Payment connector"),
        Prop("payment_amount", "string", liquid=True, label="Payment amount"),
        Prop("currency", "string", liquid=True, default="USD", label="Currency"),
        Prop("description", "string", liquid=True, label="Description"),
        Prop("language", "string", liquid=True, default="en-US", label="Language"),
        Prop(
            "payment_token_type",
            "enum",
            allowed=("one-time", "reusable"),
            default="one-time",
            label="Token type",
        ),
        Prop(
            "payment_method",
            "enum",
            allowed=("CREDIT_CARD", "ACH_DEBIT"),
            default="CREDIT_CARD",
            label="Method",
        ),
        Prop(
            "bank_account_type",
            "enum",
            allowed=("CONSUMER_CHECKING", "CONSUMER_SAVINGS", "COMMERCIAL_CHECKING", "COMMERCIAL_SAVINGS"),
            label="Bank account type",
        ),
        Prop("timeout", "integer", minimum=1, default=5, label="Timeout (seconds)"),
        Prop("max_attempts", "integer", minimum=1, default=2, label="Max attempts"),
        Prop("min_postal_code_length", "integer", minimum=0, label="Min postal code length"),
        Prop("security_code", "boolean", default=True, label="Ask for security code"),
        Prop("postal_code", "boolean", string_encoded=True, default="true", label="Ask for postal code"),
        Prop(
            "valid_card_types",
            "array",
            item_type="enum",
            allowed=CARD_TYPES,
            default=["visa", "master-card", "amex"],
            label="Valid card types",
        ),
        kv_array("parameters", "Connector parameters"),
    ]
    events = ["success", "maxFailedAttempts", "providerError", "payInterrupted", "hangup", "validationError"]
    outputs = [
        "Result",
        "PaymentToken",
        "PaymentConfirmationCode",
        "ProfileId",
        "PaymentCardNumber",
        "PaymentCardType",
        "PaymentCardPostalCode",
        "ExpirationDate",
        "SecurityCode",
    ]
    open_outputs = True
    name_prefix = "pay"
