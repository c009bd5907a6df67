-- Trusted browsers are listed to their owner and administrators, who can forget them
-- (docs/authentication.md#lockout-and-throttling). Each keeps the user agent of the sign-in that
-- trusted it, so that a person can tell their browsers apart; never the token.
ALTER TABLE trusted_devices ADD COLUMN user_agent text;
-- Revoked rows and rows unused for longer than a device stays trusted count for nothing: the
-- platform's minute sweep deletes them (only it may delete; nothing else ever does).
GRANT DELETE ON trusted_devices TO vigil_platform;
CREATE INDEX trusted_devices_revoked ON trusted_devices (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX trusted_devices_last_used ON trusted_devices (last_used_at) WHERE revoked_at IS NULL;
