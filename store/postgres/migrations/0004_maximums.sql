-- pricekit schema, version 4: maximums (spend caps), a kind of document.

ALTER TABLE pricekit_documents DROP CONSTRAINT pricekit_documents_kind_check;
ALTER TABLE pricekit_documents ADD CONSTRAINT pricekit_documents_kind_check CHECK (kind IN (
    'customers', 'fixed_fees', 'tiers', 'discounts', 'minimums', 'maximums', 'credits',
    'billing_frequencies', 'product_contracts', 'sub_contracts', 'parent_contracts'));
