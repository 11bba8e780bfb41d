-- The web pages that may use an app's public key from a browser (CORS): a JSON array of origins as browsers send
-- them ("https://shop.example.com"), or NULL for any origin, which existing apps keep.
ALTER TABLE apps ADD COLUMN allowed_origins TEXT;
