-- Records linked to a conversation (issue 4; Microsoft.Omnichannel linkToConversation): at most
-- one customer (a `contact` or an `account`) and one case (an `incident`). A new link replaces
-- the old one. The Dataverse view shows them as `_msdyn_customer_value` and
-- `_msdyn_issueid_value`.
ALTER TABLE conversations ADD COLUMN link_customer_entity TEXT;
ALTER TABLE conversations ADD COLUMN link_customer_id TEXT;
ALTER TABLE conversations ADD COLUMN link_customer_name TEXT;
ALTER TABLE conversations ADD COLUMN link_case_id TEXT;
ALTER TABLE conversations ADD COLUMN link_case_name TEXT;
