"""Webhook entry points: Twilio's (and the simulator's) signed requests become recorded inbound
events, answered at once, processed in batches. May import the engine, voice, messaging and live."""
