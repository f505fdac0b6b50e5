"""Voice widgets: each answers a call turn with TwiML whose action URLs resume it."""
