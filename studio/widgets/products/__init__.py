"""Connect Other Products: Send to Flex."""
