-- Số đơn vị phải báo cáo: per campaign and unit, how many units of the campaign's
-- required types lie in the unit's subtree (version 3). A rebuildable cache, kept
-- so that completeness is read without scanning the subtree.
CREATE TABLE campaign_expected (
    campaign_id BIGINT NOT NULL REFERENCES campaign(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id),
    expected BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id)
);
