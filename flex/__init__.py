"""Flex: a Twilio-compatible TaskRouter (v1) and the gateway Studio's Send to Flex uses."""
