"""Voice: the turns of an incoming call, placing calls, playing simulated calls, the Calls API.
May import the engine and messaging; never the entry points."""
