"""The Anthropic engine: prompt, client, validation, requests, merging with offline."""
