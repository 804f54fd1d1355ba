//! Full-jitter exponential backoff: after the `n`-th consecutive failure the next attempt waits
//! `random × min(max_backoff, increment × 2^(n−1))`, with `random` in [0, 1) supplied by the
//! caller. Nothing here reads a clock or a random source.

use super::message::MAX_DELAY_MS;

/// The backoff rule of a [`super::BayeuxClient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling after the first failure, doubled after each further one (CometD's
    /// `backoffIncrement`, 1000 ms by default).
    pub increment_ms: u64,
    /// The largest ceiling (CometD's `maxBackoff`, 60 000 ms by default).
    pub max_ms: u64,
}

impl Backoff {
    /// The ceiling of the delay after `attempt` consecutive failures (`attempt` ≥ 1; 0 is
    /// treated as 1): `min(max, increment × 2^(attempt−1))`, never above [`MAX_DELAY_MS`].
    pub fn ceiling_ms(&self, attempt: u32) -> u64 {
        let doublings = attempt.saturating_sub(1).min(62);
        let ceiling = self
            .increment_ms
            .checked_shl(doublings)
            .filter(|shifted| shifted >> doublings == self.increment_ms)
            .unwrap_or(u64::MAX);
        ceiling.min(self.max_ms).min(MAX_DELAY_MS)
    }

    /// The delay before the next attempt after `attempt` consecutive failures:
    /// `random × ceiling`, rounded down. `random` outside [0, 1] is clamped (NaN counts as 0),
    /// so the result always lies in `[0, ceiling_ms(attempt)]`.
    pub fn delay_ms(&self, attempt: u32, random: f64) -> u64 {
        let random = if random.is_nan() {
            0.0
        } else {
            random.max(0.0).min(1.0)
        };
        let ceiling = self.ceiling_ms(attempt);
        ((ceiling as f64) * random)
            .floor()
            .max(0.0)
            .min(ceiling as f64) as u64
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            increment_ms: 1000,
            max_ms: 60_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALMOST_ONE: f64 = 1.0 - f64::EPSILON;

    #[test]
    fn ceilings_double_up_to_the_maximum() {
        let backoff = Backoff::default();
        let ceilings: Vec<u64> = (1..=8).map(|n| backoff.ceiling_ms(n)).collect();
        assert_eq!(
            ceilings,
            vec![1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]
        );
        assert_eq!(backoff.ceiling_ms(0), 1000);
        assert_eq!(backoff.ceiling_ms(u32::MAX), 60_000);
    }

    #[test]
    fn delays_stay_within_zero_and_the_ceiling() {
        let backoff = Backoff::default();
        for attempt in 1..=20 {
            let ceiling = backoff.ceiling_ms(attempt);
            assert_eq!(backoff.delay_ms(attempt, 0.0), 0);
            assert_eq!(backoff.delay_ms(attempt, 0.5), ceiling / 2);
            let high = backoff.delay_ms(attempt, ALMOST_ONE);
            assert!(high < ceiling && high + 1 >= ceiling, "{attempt}: {high}");
        }
    }

    #[test]
    fn odd_randoms_are_clamped() {
        let backoff = Backoff::default();
        assert_eq!(backoff.delay_ms(1, f64::NAN), 0);
        assert_eq!(backoff.delay_ms(1, -3.0), 0);
        assert_eq!(backoff.delay_ms(1, 7.0), 1000);
        assert_eq!(backoff.delay_ms(1, f64::INFINITY), 1000);
    }

    #[test]
    fn huge_settings_do_not_overflow() {
        let backoff = Backoff {
            increment_ms: u64::MAX / 3,
            max_ms: u64::MAX,
        };
        assert_eq!(backoff.ceiling_ms(5), MAX_DELAY_MS);
        assert!(backoff.delay_ms(5, ALMOST_ONE) <= MAX_DELAY_MS);
        let zero = Backoff {
            increment_ms: 0,
            max_ms: 0,
        };
        assert_eq!(zero.delay_ms(3, 0.9), 0);
    }
}
