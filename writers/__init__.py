"""Write-back to the platforms: intended messages -> outbox (idempotency keys) -> sender."""
