"""The REST and console APIs of executions: Studio v2 Executions/Steps/Context and the simulator."""
