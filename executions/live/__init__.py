"""The live monitor: step events published to Channels groups, and the WebSocket that follows them."""
