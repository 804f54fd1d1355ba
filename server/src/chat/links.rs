//! Records linked to a conversation (`Microsoft.Omnichannel.linkToConversation` and
//! `unlinkFromConversation`): at most one customer (a `contact` or an `account`) and one case
//! (an `incident`); a new link replaces the old one of its kind. Like every change, a link runs
//! under the write lock in one transaction and is announced to the listeners, so the agents'
//! channels see it.

use hotline::core::odata::is_guid;

use super::error::ChatError;
use super::model::{ConversationSummary, LinkRole, RecordLink};
use super::service::{check_name, check_optional_name, now_ms, ChatService};
use super::store;

/// An entity's logical name, in lower case, with its role; other entities are refused.
fn entity_role(entity_name: &str) -> Result<(String, LinkRole), ChatError> {
    let name = entity_name.trim().to_ascii_lowercase();
    if name.is_empty() {
        return Err(ChatError::MissingParameter("entityName"));
    }
    let role = LinkRole::of_entity(&name).ok_or_else(|| ChatError::InvalidParameter {
        name: "entityName",
        reason: format!("'{name}' cannot be linked: use contact, account or incident"),
    })?;
    Ok((name, role))
}

/// A record id as stored: trimmed; a GUID (with or without braces) in lower case.
pub fn normalise_record_id(id: &str) -> String {
    let id = id.trim();
    let bare = id
        .strip_prefix('{')
        .and_then(|inner| inner.strip_suffix('}'))
        .unwrap_or(id);
    if is_guid(bare) {
        bare.to_ascii_lowercase()
    } else {
        id.to_owned()
    }
}

impl ChatService {
    /// Links `entity_name` `entity_id` to the conversation, replacing the link of its kind
    /// (customer or case). A conversation that has ended cannot change its links.
    pub async fn link_record(
        &self,
        chat_id: &str,
        entity_name: &str,
        entity_id: &str,
        display_name: Option<String>,
    ) -> Result<ConversationSummary, ChatError> {
        let (entity_name, role) = entity_role(entity_name)?;
        let entity_id = normalise_record_id(entity_id);
        if entity_id.is_empty() {
            return Err(ChatError::MissingParameter("entityId"));
        }
        check_name("entityId", &entity_id)?;
        let display_name = display_name
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty());
        check_optional_name("displayName", display_name.as_deref())?;
        let link = RecordLink {
            entity_name,
            entity_id,
            display_name,
        };
        self.change_link(chat_id, role, |_| Ok(Some(link))).await
    }

    /// Removes the link to `entity_name` (and, when `entity_id` is given, only if it is that
    /// record); [`ChatError::NotLinked`] when there is no such link.
    pub async fn unlink_record(
        &self,
        chat_id: &str,
        entity_name: &str,
        entity_id: Option<&str>,
    ) -> Result<ConversationSummary, ChatError> {
        let (entity_name, role) = entity_role(entity_name)?;
        let entity_id = entity_id
            .map(normalise_record_id)
            .filter(|id| !id.is_empty());
        self.change_link(chat_id, role, |current| match current {
            Some(link)
                if link.entity_name == entity_name
                    && entity_id.as_ref().is_none_or(|id| *id == link.entity_id) =>
            {
                Ok(None)
            }
            _ => Err(ChatError::NotLinked(match &entity_id {
                Some(id) => format!("{entity_name} {id}"),
                None => entity_name.clone(),
            })),
        })
        .await
    }

    /// Sets the link of `role` to what `decide` makes of the current one.
    async fn change_link(
        &self,
        chat_id: &str,
        role: LinkRole,
        decide: impl FnOnce(Option<&RecordLink>) -> Result<Option<RecordLink>, ChatError>,
    ) -> Result<ConversationSummary, ChatError> {
        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool().begin().await?;
        let mut conversation = store::load(&mut tx, chat_id)
            .await?
            .ok_or(ChatError::UnknownChat)?;
        if conversation.ended_at.is_some() {
            return Err(ChatError::ChatEnded);
        }
        let link = decide(conversation.links.get(role))?;
        if conversation.links.get(role) == link.as_ref() {
            return Ok(conversation.summary());
        }
        let previous = conversation.status();
        conversation.links.set(role, link);
        conversation.updated_at = now_ms();
        store::update_conversation(&mut tx, &conversation).await?;
        tx.commit().await?;
        self.announce(&conversation, Some(previous), &[]);
        Ok(conversation.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_are_normalised() {
        assert_eq!(
            normalise_record_id(" {2B330C52-6844-4D36-8E05-03C78C9681DC} "),
            "2b330c52-6844-4d36-8e05-03c78c9681dc"
        );
        assert_eq!(normalise_record_id("CASE-42"), "CASE-42");
        assert_eq!(normalise_record_id("{x}"), "{x}");
    }

    #[test]
    fn only_customers_and_cases_can_be_linked() {
        assert_eq!(
            entity_role("Contact").unwrap(),
            ("contact".to_owned(), LinkRole::Customer)
        );
        assert_eq!(entity_role("incident").unwrap().1, LinkRole::Case);
        assert!(matches!(
            entity_role("lead"),
            Err(ChatError::InvalidParameter { .. })
        ));
        assert!(matches!(
            entity_role(" "),
            Err(ChatError::MissingParameter("entityName"))
        ));
    }
}
