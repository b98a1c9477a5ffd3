//! Choosing a deployment: weighted random among healthy ones across clusters, skipping those
//! cooling down after failures or full of parallel requests. State is per replica.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use prometheus_client::metrics::gauge::Gauge;
use rand::Rng;
use uuid::Uuid;

use super::deployment::{Deployment, DeploymentState, now_ms};

/// A held parallel-request slot on a deployment; released on drop.
#[derive(Debug)]
pub struct Slot {
    state: Arc<DeploymentState>,
    /// The replica's `switchyard_requests_in_flight`, counting this slot while it lives.
    in_flight: Gauge,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.state.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.in_flight.dec();
    }
}

/// The routing policy.
#[derive(Debug, Clone)]
pub struct Balancer {
    /// Failures within `window` that start a cooldown.
    pub failures: u32,
    /// The failure-counting window.
    pub window: Duration,
    /// How long a cooldown lasts.
    pub cooldown: Duration,
    /// Slots held on every deployment (`switchyard_requests_in_flight`).
    pub in_flight: Gauge,
}

impl Balancer {
    /// Picks a deployment not in `tried`: healthy and available ones first; if no deployment
    /// is healthy, available ones regardless of health checks. `None` when every untried
    /// deployment is cooling down or full.
    pub fn pick(
        &self,
        deployments: &[Arc<Deployment>],
        tried: &[Uuid],
    ) -> Option<(Arc<Deployment>, Slot)> {
        let now = now_ms();
        let available: Vec<&Arc<Deployment>> = deployments
            .iter()
            .filter(|d| !tried.contains(&d.id) && !d.state.cooling(now))
            .filter(|d| d.max_parallel.is_none_or(|cap| d.state.in_flight() < cap))
            .collect();
        let healthy: Vec<&Arc<Deployment>> = available
            .iter()
            .copied()
            .filter(|d| d.state.is_healthy())
            .collect();
        let pool = if healthy.is_empty() {
            available
        } else {
            healthy
        };
        let chosen = weighted(&pool)?;
        chosen.state.in_flight.fetch_add(1, Ordering::Relaxed);
        self.in_flight.inc();
        let slot = Slot {
            state: chosen.state.clone(),
            in_flight: self.in_flight.clone(),
        };
        Some((chosen.clone(), slot))
    }

    /// Records a failure; enough of them within the window start a cooldown. Returns whether
    /// this failure started one.
    pub fn record_failure(&self, state: &DeploymentState) -> bool {
        let now = now_ms();
        let window = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        let Ok(mut failures) = state.failures.lock() else {
            return false;
        };
        failures.push_back(now);
        while failures
            .front()
            .is_some_and(|t| now.saturating_sub(*t) > window)
        {
            failures.pop_front();
        }
        if failures.len() >= usize::try_from(self.failures).unwrap_or(usize::MAX) {
            failures.clear();
            let until = now + u64::try_from(self.cooldown.as_millis()).unwrap_or(u64::MAX);
            state.cooldown_until.store(until, Ordering::Relaxed);
            return true;
        }
        false
    }

    /// Records a success: the failure count starts again.
    pub fn record_success(&self, state: &DeploymentState) {
        if let Ok(mut failures) = state.failures.lock()
            && !failures.is_empty()
        {
            failures.clear();
        }
    }
}

fn weighted<'a>(pool: &[&'a Arc<Deployment>]) -> Option<&'a Arc<Deployment>> {
    let total: u64 = pool.iter().map(|d| u64::from(d.weight.max(1))).sum();
    if total == 0 {
        return None;
    }
    let mut ticket = rand::rng().random_range(0..total);
    for deployment in pool {
        let weight = u64::from(deployment.weight.max(1));
        if ticket < weight {
            return Some(deployment);
        }
        ticket -= weight;
    }
    pool.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::deployment::tests::deployment;

    fn balancer() -> Balancer {
        Balancer {
            failures: 2,
            window: Duration::from_secs(60),
            cooldown: Duration::from_secs(60),
            in_flight: Gauge::default(),
        }
    }

    #[test]
    fn traffic_follows_the_weights() {
        let deployments = vec![deployment("aws", 3), deployment("gaudi", 1)];
        let mut aws = 0;
        for _ in 0..4_000 {
            let (chosen, _slot) = balancer().pick(&deployments, &[]).unwrap();
            if chosen.cluster == "aws" {
                aws += 1;
            }
        }
        // Expect 3,000; the bound is over 10 standard deviations wide.
        assert!((2_700..=3_300).contains(&aws), "{aws}");
    }

    #[test]
    fn tried_and_cooling_deployments_are_skipped() {
        let deployments = vec![deployment("aws", 1), deployment("gaudi", 1)];
        let balancer = balancer();
        let (first, _) = balancer.pick(&deployments, &[deployments[0].id]).unwrap();
        assert_eq!(first.cluster, "gaudi");
        assert!(!balancer.record_failure(&deployments[1].state));
        assert!(
            balancer.record_failure(&deployments[1].state),
            "second failure cools down"
        );
        for _ in 0..50 {
            let (chosen, _) = balancer.pick(&deployments, &[]).unwrap();
            assert_eq!(chosen.cluster, "aws");
        }
        assert!(balancer.pick(&deployments, &[deployments[0].id]).is_none());
    }

    #[test]
    fn unhealthy_deployments_are_used_only_when_nothing_else_is_left() {
        let deployments = vec![deployment("aws", 1), deployment("gaudi", 1)];
        deployments[0].state.set_healthy(false);
        for _ in 0..50 {
            assert_eq!(
                balancer().pick(&deployments, &[]).unwrap().0.cluster,
                "gaudi"
            );
        }
        deployments[1].state.set_healthy(false);
        assert!(balancer().pick(&deployments, &[]).is_some());
    }

    #[test]
    fn parallel_caps_hold_slots_until_dropped() {
        let mut capped = deployment("aws", 1);
        Arc::get_mut(&mut capped).unwrap().max_parallel = Some(1);
        let deployments = vec![capped];
        let slot = balancer().pick(&deployments, &[]).unwrap();
        assert!(balancer().pick(&deployments, &[]).is_none());
        drop(slot);
        assert!(balancer().pick(&deployments, &[]).is_some());
    }

    #[test]
    fn the_in_flight_gauge_counts_held_slots() {
        let deployments = vec![deployment("aws", 1), deployment("gaudi", 1)];
        let balancer = balancer();
        let first = balancer.pick(&deployments, &[]).unwrap();
        let second = balancer.pick(&deployments, &[]).unwrap();
        assert_eq!(balancer.in_flight.get(), 2);
        drop(first);
        assert_eq!(balancer.in_flight.get(), 1);
        drop(second);
        assert_eq!(balancer.in_flight.get(), 0);
    }
}
