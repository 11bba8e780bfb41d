-- The project's secret key is stored as its SHA-256 from now on (in secret_api_key, as 'sha256:<hex>'), shown once;
-- the hint (prefix and last 4 characters) is what the API shows afterwards. Existing clear keys are hashed at start
-- (Substate.sealStoredSecrets), which needs no key and runs on both databases alike.
ALTER TABLE projects ADD COLUMN secret_api_key_hint TEXT;
