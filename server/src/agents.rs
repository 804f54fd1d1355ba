//! Agent accounts and their sign-in: bearer tokens from `POST /api/v1/agents/login`, or HTTP
//! Basic credentials on any agent request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;

use crate::chat::service::random_token;
use crate::chat::AgentRef;

/// How long a bearer token stays valid after it was issued.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// An agent account from the command line (`--agent name:password`) or the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentAccount {
    pub name: String,
    pub password: String,
}

impl AgentAccount {
    /// Parses `name:password` (the password may contain `:`).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (name, password) = spec
            .split_once(':')
            .ok_or_else(|| format!("agent '{spec}' must be given as name:password"))?;
        let name = name.trim();
        if name.is_empty() || password.is_empty() {
            return Err(format!("agent '{spec}' needs a name and a password"));
        }
        Ok(Self {
            name: name.to_owned(),
            password: password.to_owned(),
        })
    }

    pub fn as_ref(&self) -> AgentRef {
        AgentRef {
            agent_id: self.name.clone(),
            nickname: self.name.clone(),
        }
    }
}

/// Why an agent request was not let in.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("agent credentials are missing: send Authorization: Bearer <token> or Basic")]
    Missing,
    #[error("agent credentials are not valid")]
    Invalid,
}

/// The accounts and the tokens issued to them. Tokens live in memory: after a restart agents
/// sign in again (customers, whose chats are in the database, lose nothing).
pub struct AgentDirectory {
    accounts: HashMap<String, AgentAccount>,
    /// Account names in the order they were configured: SuperOffice `AssociateId` is the
    /// 1-based position here.
    order: Vec<String>,
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl AgentDirectory {
    pub fn new(accounts: Vec<AgentAccount>) -> Self {
        let mut order: Vec<String> = Vec::new();
        for account in &accounts {
            if !order.contains(&account.name) {
                order.push(account.name.clone());
            }
        }
        Self {
            order,
            accounts: accounts
                .into_iter()
                .map(|account| (account.name.clone(), account))
                .collect(),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The account names, in the order they were configured.
    pub fn names(&self) -> &[String] {
        &self.order
    }

    /// SuperOffice `AssociateId` of an account: its 1-based position in the configuration.
    pub fn associate_id(&self, name: &str) -> Option<i64> {
        self.order
            .iter()
            .position(|known| known == name)
            .map(|at| at as i64 + 1)
    }

    /// The agent with this account name (any case) or associate id.
    pub fn find(&self, name_or_id: &str) -> Option<AgentRef> {
        let name_or_id = name_or_id.trim();
        if let Ok(id) = name_or_id.parse::<usize>() {
            if let Some(name) = id.checked_sub(1).and_then(|at| self.order.get(at)) {
                return self.accounts.get(name).map(AgentAccount::as_ref);
            }
        }
        self.accounts
            .values()
            .find(|account| account.name.eq_ignore_ascii_case(name_or_id))
            .map(AgentAccount::as_ref)
    }

    /// Ends a token before its time (sign-out).
    pub fn revoke(&self, token: &str) {
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.remove(token);
        }
    }

    fn check_password(&self, name: &str, password: &str) -> Option<&AgentAccount> {
        let account = self.accounts.get(name)?;
        constant_time_eq(account.password.as_bytes(), password.as_bytes()).then_some(account)
    }

    /// Checks the credentials and issues a bearer token.
    pub fn login(&self, name: &str, password: &str) -> Result<(String, AgentRef), AuthError> {
        let account = self
            .check_password(name, password)
            .ok_or(AuthError::Invalid)?;
        self.issue_token(&account.name)
    }

    /// Issues a bearer token to an agent already authenticated by other means.
    pub fn issue_token(&self, name: &str) -> Result<(String, AgentRef), AuthError> {
        let account = self.accounts.get(name).ok_or(AuthError::Invalid)?;
        let token = random_token(43, TOKEN_ALPHABET);
        let mut tokens = self.tokens.lock().map_err(|_| AuthError::Invalid)?;
        let now = Instant::now();
        tokens.retain(|_, (_, issued)| now.duration_since(*issued) < TOKEN_LIFETIME);
        tokens.insert(token.clone(), (account.name.clone(), now));
        Ok((token, account.as_ref()))
    }

    /// The agent a bearer token was issued to, while it is valid.
    pub fn agent_for_token(&self, token: &str) -> Result<AgentRef, AuthError> {
        let tokens = self.tokens.lock().map_err(|_| AuthError::Invalid)?;
        let (name, issued) = tokens.get(token).ok_or(AuthError::Invalid)?;
        if issued.elapsed() >= TOKEN_LIFETIME {
            return Err(AuthError::Invalid);
        }
        self.accounts
            .get(name)
            .map(AgentAccount::as_ref)
            .ok_or(AuthError::Invalid)
    }

    /// Authenticates an `Authorization` header value (Bearer or Basic).
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<AgentRef, AuthError> {
        let header = authorization.map(str::trim).ok_or(AuthError::Missing)?;
        let (scheme, credentials) = header.split_once(' ').ok_or(AuthError::Invalid)?;
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            self.agent_for_token(credentials)
        } else if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(credentials)
                .map_err(|_| AuthError::Invalid)?;
            let decoded = String::from_utf8(decoded).map_err(|_| AuthError::Invalid)?;
            let (name, password) = decoded.split_once(':').ok_or(AuthError::Invalid)?;
            self.check_password(name, password)
                .map(AgentAccount::as_ref)
                .ok_or(AuthError::Invalid)
        } else {
            Err(AuthError::Invalid)
        }
    }
}

const TOKEN_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Compares secrets without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> AgentDirectory {
        AgentDirectory::new(vec![AgentAccount::parse("ada:pa:ss").unwrap()])
    }

    #[test]
    fn account_specs_parse_and_refuse_bad_ones() {
        let account = AgentAccount::parse("ada:pa:ss").unwrap();
        assert_eq!(
            (account.name.as_str(), account.password.as_str()),
            ("ada", "pa:ss")
        );
        assert!(AgentAccount::parse("ada").is_err());
        assert!(AgentAccount::parse(":pw").is_err());
        assert!(AgentAccount::parse("ada:").is_err());
    }

    #[test]
    fn login_issues_a_token_that_authenticates() {
        let agents = directory();
        assert_eq!(agents.login("ada", "wrong"), Err(AuthError::Invalid));
        let (token, agent) = agents.login("ada", "pa:ss").unwrap();
        assert_eq!(agent.agent_id, "ada");
        let header = format!("Bearer {token}");
        assert_eq!(agents.authenticate(Some(&header)).unwrap().agent_id, "ada");
        assert_eq!(
            agents.authenticate(Some("Bearer nope")),
            Err(AuthError::Invalid)
        );
        assert_eq!(agents.authenticate(None), Err(AuthError::Missing));
    }

    #[test]
    fn associates_are_numbered_in_configuration_order() {
        let agents = AgentDirectory::new(vec![
            AgentAccount::parse("bob:x").unwrap(),
            AgentAccount::parse("eve:y").unwrap(),
        ]);
        assert_eq!(agents.associate_id("eve"), Some(2));
        assert_eq!(agents.associate_id("zed"), None);
        assert_eq!(agents.find("2").unwrap().agent_id, "eve");
        assert_eq!(agents.find("BOB").unwrap().agent_id, "bob");
        assert!(agents.find("3").is_none());
        let (token, _) = agents.login("bob", "x").unwrap();
        agents.revoke(&token);
        assert_eq!(agents.agent_for_token(&token), Err(AuthError::Invalid));
    }

    #[test]
    fn basic_credentials_are_accepted() {
        let agents = directory();
        let good = base64::engine::general_purpose::STANDARD.encode("ada:pa:ss");
        let bad = base64::engine::general_purpose::STANDARD.encode("ada:nope");
        assert!(agents.authenticate(Some(&format!("Basic {good}"))).is_ok());
        assert_eq!(
            agents.authenticate(Some(&format!("Basic {bad}"))),
            Err(AuthError::Invalid)
        );
        assert_eq!(
            agents.authenticate(Some("Digest x")),
            Err(AuthError::Invalid)
        );
    }
}
