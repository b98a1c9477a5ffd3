//! `demo-seed`: gives the demo (`deploy/demo.sh`) a user with a week of synthetic usage, so
//! the portal's charts show something on first start. Only the demo runs it; every row it
//! writes is marked as demo data (the user's and the key's metadata say `"demo_data": true`,
//! and the key is named "Demo data"). Running it again changes nothing.
//!
//! ```text
//! demo-seed --database-url sqlite://data/switchyard.sqlite --password …
//! ```

use anyhow::{Context, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString};
use chrono::{DateTime, Datelike, Duration, DurationRound, Timelike, Utc};
use clap::Parser;
use entity::{api_key, api_key_model, model, subscription, subscription_event, usage_rollup, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Database, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

#[derive(Parser, Debug)]
#[command(
    name = "demo-seed",
    about = "Seeds the demo user and a week of synthetic usage"
)]
struct Args {
    /// The demo's database (its SQLite file, as the server was started with).
    #[arg(long)]
    database_url: String,
    /// The demo user's sign-in name.
    #[arg(long, default_value = "demo")]
    user: String,
    /// The demo user's password.
    #[arg(long)]
    password: String,
    /// Days of usage to make, ending with the current hour.
    #[arg(long, default_value_t = 7)]
    days: i64,
    /// The models the demo user uses (subscribed, on the key, in the usage).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "granite-3-2-8b-instruct,llama-3-1-8b-instruct"
    )]
    models: Vec<String>,
}

/// A small deterministic generator: the same demo data every time.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n.max(1)) as i64
    }
}

/// Requests in an hour of the day: busy in working hours, quiet at night.
fn hourly_load(hour: u32) -> u64 {
    match hour {
        8..=11 | 13..=17 => 40,
        7 | 12 | 18..=20 => 15,
        _ => 3,
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let db = Database::connect(&args.database_url)
        .await
        .with_context(|| format!("cannot open {}", args.database_url))?;
    let now = Utc::now();
    let demo_user = ensure_user(&db, &args, now).await?;
    if demo_user.1 {
        println!("the demo user {} already has its demo data", args.user);
        return Ok(());
    }
    let user_id = demo_user.0;
    let mut models = Vec::new();
    for name in &args.models {
        let found = model::Entity::find()
            .filter(model::Column::Name.eq(name.clone()))
            .one(&db)
            .await?
            .with_context(|| {
                format!("no model {name}: start the server with the demo catalog first")
            })?;
        subscribe(&db, user_id, found.id, now).await?;
        models.push(found);
    }
    let key_hash = make_key(&db, user_id, &models, now).await?;
    let spend = write_usage(&db, user_id, &key_hash, &models, args.days, now).await?;
    user::Entity::update(user::ActiveModel {
        id: Set(user_id),
        spend_nanos: Set(spend),
        ..Default::default()
    })
    .exec(&db)
    .await?;
    println!(
        "seeded {} days of demo usage for {} ({:.2} spent)",
        args.days,
        args.user,
        spend as f64 / 1e9
    );
    Ok(())
}

/// The demo user (id, and whether it was there already).
async fn ensure_user(
    db: &DatabaseConnection,
    args: &Args,
    now: DateTime<Utc>,
) -> Result<(Uuid, bool)> {
    if let Some(existing) = user::Entity::find()
        .filter(user::Column::ExternalId.eq(args.user.clone()))
        .one(db)
        .await?
    {
        return Ok((existing.id, true));
    }
    let salt = SaltString::encode_b64(Uuid::new_v4().as_bytes())
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = Argon2::default()
        .hash_password(args.password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hash: {e}"))?
        .to_string();
    let id = Uuid::new_v4();
    user::ActiveModel {
        id: Set(id),
        external_id: Set(args.user.clone()),
        email: Set(Some(format!("{}@demo.invalid", args.user))),
        display_name: Set(Some("Demo user".into())),
        oidc_issuer: Set(None),
        oidc_subject: Set(None),
        password_hash: Set(Some(hash)),
        roles: Set(json!(["user"])),
        active: Set(true),
        max_budget_nanos: Set(Some(25_000_000_000)),
        soft_budget_nanos: Set(None),
        budget_duration: Set(Some("monthly".into())),
        budget_reset_at: Set(Some(next_month(now))),
        spend_nanos: Set(0),
        metadata: Set(json!({ "demo_data": true })),
        created_at: Set(now - Duration::days(8)),
        updated_at: Set(now),
        last_login_at: Set(None),
        // No limits beyond the budget: left out, they are stored as none.
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((id, false))
}

/// The first instant of the month after `now` (when a monthly budget resets).
fn next_month(now: DateTime<Utc>) -> DateTime<Utc> {
    let (year, month) = if now.month() == 12 {
        (now.year() + 1, 1)
    } else {
        (now.year(), now.month() + 1)
    };
    chrono::NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(now, |d| d.and_utc())
}

async fn subscribe(
    db: &DatabaseConnection,
    user_id: Uuid,
    model_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let at = now - Duration::days(8);
    let row = subscription::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
        model_id: Set(model_id),
        status: Set("active".into()),
        reason: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    subscription_event::ActiveModel {
        subscription_id: Set(row.id),
        from_status: Set(None),
        to_status: Set("active".into()),
        actor_user_id: Set(Some(user_id)),
        reason: Set(None),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A portal key over the models whose secret nobody has (the demo data's requests were
/// "made" with it); returns its hash.
async fn make_key(
    db: &DatabaseConnection,
    user_id: Uuid,
    models: &[model::Model],
    now: DateTime<Utc>,
) -> Result<String> {
    let hash: String = Sha256::digest(Uuid::new_v4().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let id = Uuid::new_v4();
    api_key::ActiveModel {
        id: Set(id),
        token_hash: Set(hash.clone()),
        key_name: Set("sk-...demo".into()),
        alias: Set(None),
        user_id: Set(Some(user_id)),
        origin: Set("portal".into()),
        all_models: Set(false),
        blocked: Set(false),
        expires_at: Set(None),
        spend_nanos: Set(0),
        team_id: Set(None),
        tags: Set(json!([])),
        metadata: Set(json!({ "name": "Demo data", "demo_data": true })),
        last_used_at: Set(Some(now)),
        created_at: Set(now - Duration::days(8)),
        updated_at: Set(now),
        // No limits: left out, they are stored as none.
        ..Default::default()
    }
    .insert(db)
    .await?;
    for m in models {
        api_key_model::ActiveModel {
            api_key_id: Set(id),
            model_id: Set(m.id),
        }
        .insert(db)
        .await?;
    }
    Ok(hash)
}

/// Totals of one bucket.
#[derive(Default, Clone)]
struct Sums {
    requests: i64,
    errors: i64,
    prompt: i64,
    completion: i64,
    cost: i64,
    duration: i64,
    latency: [i64; 10],
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.prompt += other.prompt;
        self.completion += other.completion;
        self.cost += other.cost;
        self.duration += other.duration;
        for (a, b) in self.latency.iter_mut().zip(other.latency) {
            *a += b;
        }
    }
}

async fn insert_rollup(
    db: &DatabaseConnection,
    span: &str,
    at: DateTime<Utc>,
    key_hash: &str,
    model_name: &str,
    user_id: Uuid,
    sums: &Sums,
) -> Result<()> {
    let l = sums.latency;
    usage_rollup::ActiveModel {
        span: Set(span.into()),
        hour: Set(at),
        key_hash: Set(key_hash.into()),
        model_name: Set(model_name.into()),
        user_id: Set(Some(user_id)),
        requests: Set(sums.requests),
        errors: Set(sums.errors),
        prompt_tokens: Set(sums.prompt),
        completion_tokens: Set(sums.completion),
        cost_nanos: Set(sums.cost),
        duration_ms_sum: Set(sums.duration),
        latency_le_50: Set(l[0]),
        latency_le_100: Set(l[1]),
        latency_le_250: Set(l[2]),
        latency_le_500: Set(l[3]),
        latency_le_1000: Set(l[4]),
        latency_le_2500: Set(l[5]),
        latency_le_5000: Set(l[6]),
        latency_le_10000: Set(l[7]),
        latency_le_30000: Set(l[8]),
        latency_le_inf: Set(l[9]),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Hourly and daily rollups for `days` ending with the current hour; returns the spend.
async fn write_usage(
    db: &DatabaseConnection,
    user_id: Uuid,
    key_hash: &str,
    models: &[model::Model],
    days: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut random = Lcg(7);
    let this_hour = now.duration_trunc(Duration::hours(1))?;
    let first = this_hour - Duration::hours(days * 24 - 1);
    let mut total = 0;
    for (index, m) in models.iter().enumerate() {
        let mut day: Option<(DateTime<Utc>, Sums)> = None;
        let mut hour = first;
        while hour <= this_hour {
            let load = hourly_load(hour.hour()) / (index as u64 + 1);
            let requests = random.below(load + 1) + (load as i64) / 2;
            let mut sums = Sums {
                requests,
                ..Sums::default()
            };
            for _ in 0..requests {
                let prompt = 200 + random.below(600);
                let completion = 50 + random.below(400);
                let ms = 150 + random.below(2400);
                sums.prompt += prompt;
                sums.completion += completion;
                sums.cost += prompt * m.input_price_nanos + completion * m.output_price_nanos;
                sums.duration += ms;
                sums.errors += i64::from(random.below(50) == 0);
                let bucket = entity::usage_rollup::LATENCY_BOUNDS_MS
                    .iter()
                    .position(|bound| ms as u64 <= *bound)
                    .unwrap_or(9);
                sums.latency[bucket] += 1;
            }
            if requests > 0 {
                insert_rollup(
                    db,
                    usage_rollup::SPAN_HOUR,
                    hour,
                    key_hash,
                    &m.name,
                    user_id,
                    &sums,
                )
                .await?;
            }
            total += sums.cost;
            let day_start = hour.duration_trunc(Duration::days(1))?;
            match &mut day {
                Some((start, day_sums)) if *start == day_start => day_sums.add(&sums),
                _ => {
                    if let Some((start, day_sums)) = day.take() {
                        insert_rollup(
                            db,
                            usage_rollup::SPAN_DAY,
                            start,
                            key_hash,
                            &m.name,
                            user_id,
                            &day_sums,
                        )
                        .await?;
                    }
                    day = Some((day_start, sums));
                }
            }
            hour += Duration::hours(1);
        }
        if let Some((start, day_sums)) = day {
            insert_rollup(
                db,
                usage_rollup::SPAN_DAY,
                start,
                key_hash,
                &m.name,
                user_id,
                &day_sums,
            )
            .await?;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_hours_are_busier_and_the_data_is_the_same_every_time() {
        assert!(hourly_load(10) > hourly_load(19) && hourly_load(19) > hourly_load(3));
        let a: Vec<i64> = (0..5)
            .map({
                let mut r = Lcg(7);
                move |_| r.below(100)
            })
            .collect();
        let b: Vec<i64> = (0..5)
            .map({
                let mut r = Lcg(7);
                move |_| r.below(100)
            })
            .collect();
        assert_eq!(a, b);
        let december = chrono::NaiveDate::from_ymd_opt(2026, 12, 30)
            .unwrap()
            .and_hms_opt(5, 0, 0)
            .unwrap()
            .and_utc();
        assert_eq!(
            next_month(december).to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );
    }
}
