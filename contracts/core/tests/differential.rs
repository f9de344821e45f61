//! Differential test against the model the SMT proofs are about (`proofs/model.py`).
//!
//! Each line of the vector file is `<function> <inputs...> => Ok <outputs...>` or
//! `=> Err <CoreError>`, produced by `proofs/gen_vectors.py` from the model. This test runs
//! the real carrack-core function on the inputs and requires exactly the same line, so a
//! change to any rounding direction, check order or error in the Rust code (or in the
//! model) fails here. `scripts/prove.sh` runs it on a large fresh set through
//! `CARRACK_DIFF_VECTORS`; without it, the small committed set
//! `proofs/vectors/committed.txt` is used.

use carrack_core::fixed_point::{add, pow10, ray_pow, sub};
use carrack_core::{
    amount_for_value, mul_div, plan_liquidation, ray_div, ray_mul, supply_rate, utilization_wad,
    value_wad, wad_div, wad_mul, AccountHealth, CoreError, CoreResult, LiquidationInput,
    MarketConfig, MarketState, RateModel, Rounding,
};
use std::collections::BTreeMap;

struct Args<'a> {
    items: std::slice::Iter<'a, &'a str>,
}

impl Args<'_> {
    fn u128(&mut self) -> u128 {
        self.items
            .next()
            .expect("missing input")
            .parse()
            .expect("not a u128")
    }
    fn u64(&mut self) -> u64 {
        self.items
            .next()
            .expect("missing input")
            .parse()
            .expect("not a u64")
    }
    fn u8(&mut self) -> u8 {
        self.items
            .next()
            .expect("missing input")
            .parse()
            .expect("not a u8")
    }
    fn usize(&mut self) -> usize {
        self.items
            .next()
            .expect("missing input")
            .parse()
            .expect("not a count")
    }
    fn rounding(&mut self) -> Rounding {
        match self.u8() {
            0 => Rounding::Down,
            1 => Rounding::Up,
            other => panic!("rounding {other}"),
        }
    }
    fn state(&mut self) -> MarketState {
        MarketState {
            total_scaled_supply: self.u128(),
            total_scaled_debt: self.u128(),
            supply_index_ray: self.u128(),
            borrow_index_ray: self.u128(),
            cash: self.u128(),
            reserves: self.u128(),
            deficit: self.u128(),
            last_accrual_secs: self.u64(),
        }
    }
    fn rate_model(&mut self) -> RateModel {
        RateModel {
            base_rate_wad: self.u128(),
            slope_low_wad: self.u128(),
            slope_high_wad: self.u128(),
            optimal_utilization_wad: self.u128(),
        }
    }
    fn done(&mut self) {
        assert!(self.items.next().is_none(), "extra inputs");
    }
}

fn show(result: CoreResult<Vec<u128>>) -> String {
    match result {
        Ok(values) => {
            let values: Vec<String> = values.iter().map(u128::to_string).collect();
            format!("Ok {}", values.join(" "))
        }
        Err(err) => format!("Err {err:?}"),
    }
}

fn one(value: CoreResult<u128>) -> CoreResult<Vec<u128>> {
    value.map(|v| vec![v])
}

fn health(args: &mut Args) -> CoreResult<Vec<u128>> {
    let mut health = AccountHealth::default();
    let mut result = Ok(());
    for _ in 0..args.usize() {
        let (amount, decimals, price, ltv, lt) = (
            args.u128(),
            args.u8(),
            args.u128(),
            args.u128(),
            args.u128(),
        );
        if result.is_ok() {
            result = health.add_collateral(amount, decimals, price, ltv, lt);
        }
    }
    for _ in 0..args.usize() {
        let (amount, decimals, price) = (args.u128(), args.u8(), args.u128());
        if result.is_ok() {
            result = health.add_debt(amount, decimals, price);
        }
    }
    result?;
    Ok(vec![
        health.collateral_value_wad,
        health.borrowing_power_wad,
        health.liquidation_capacity_wad,
        health.debt_value_wad,
        health.health_factor_wad()?,
    ])
}

fn state_out(state: &MarketState) -> Vec<u128> {
    vec![
        state.total_scaled_supply,
        state.total_scaled_debt,
        state.supply_index_ray,
        state.borrow_index_ray,
        state.cash,
        state.reserves,
        state.deficit,
        u128::from(state.last_accrual_secs),
    ]
}

/// Runs one vector's function on its inputs and formats the result as the model does.
fn run(function: &str, args: &mut Args) -> String {
    let result = match function {
        "mul_div" => one(mul_div(
            args.u128(),
            args.u128(),
            args.u128(),
            args.rounding(),
        )),
        "wad_mul" | "wad_div" | "ray_mul" | "ray_div" => {
            let (a, b, rounding) = (args.u128(), args.u128(), args.rounding());
            let f = match function {
                "wad_mul" => wad_mul,
                "wad_div" => wad_div,
                "ray_mul" => ray_mul,
                _ => ray_div,
            };
            one(f(a, b, rounding))
        }
        "add" => one(add(args.u128(), args.u128())),
        "sub" => one(sub(args.u128(), args.u128())),
        "ray_pow" => one(ray_pow(args.u128(), args.u64(), args.rounding())),
        "value_wad" => one(value_wad(
            args.u128(),
            args.u8(),
            args.u128(),
            args.rounding(),
        )),
        "amount_for_value" => one(amount_for_value(
            args.u128(),
            args.u8(),
            args.u128(),
            args.rounding(),
        )),
        "utilization" => one(utilization_wad(args.u128(), args.u128())),
        "borrow_rate_year" => {
            let model = args.rate_model();
            one(model.borrow_rate_per_year_wad(args.u128()))
        }
        "borrow_rate_sec" => {
            let model = args.rate_model();
            one(model.borrow_rate_per_second_ray(args.u128()))
        }
        "supply_rate" => one(supply_rate(args.u128(), args.u128(), args.u128())),
        "accrue" => {
            let mut state = args.state();
            let config = MarketConfig {
                reserve_factor_wad: args.u128(),
                rate_model: args.rate_model(),
                ..MarketConfig::default()
            };
            let before = state;
            let result = state.accrue(&config, args.u64());
            if result.is_err() {
                assert_eq!(state, before, "a failed accrual changes nothing");
            }
            result.map(|accrual| {
                let mut out = state_out(&state);
                out.extend([
                    accrual.interest,
                    accrual.reserve_share,
                    accrual.deficit_covered,
                ]);
                out
            })
        }
        "supply" => {
            let mut state = args.state();
            let config = MarketConfig {
                supply_cap: args.u128(),
                ..MarketConfig::default()
            };
            state
                .supply(&config, args.u128())
                .map(|scaled| vec![scaled, state.cash, state.total_scaled_supply])
        }
        "withdraw" => {
            let mut state = args.state();
            state
                .withdraw(args.u128(), args.u128())
                .map(|(paid, scaled)| vec![paid, scaled, state.cash, state.total_scaled_supply])
        }
        "borrow" => {
            let mut state = args.state();
            let config = MarketConfig {
                borrow_cap: args.u128(),
                min_debt: args.u128(),
                ..MarketConfig::default()
            };
            state
                .borrow(&config, args.u128(), args.u128())
                .map(|scaled| vec![scaled, state.cash, state.total_scaled_debt])
        }
        "repay" | "liquidation_repay" => {
            let mut state = args.state();
            let result = if function == "repay" {
                let config = MarketConfig {
                    min_debt: args.u128(),
                    ..MarketConfig::default()
                };
                state.repay(&config, args.u128(), args.u128())
            } else {
                state.liquidation_repay(args.u128(), args.u128())
            };
            result.map(|(taken, scaled)| vec![taken, scaled, state.cash, state.total_scaled_debt])
        }
        "health" => health(args),
        "plan_liquidation" => {
            let input = LiquidationInput {
                health_factor_wad: args.u128(),
                debt_balance: args.u128(),
                debt_decimals: args.u8(),
                debt_price_wad: args.u128(),
                collateral_balance: args.u128(),
                collateral_decimals: args.u8(),
                collateral_price_wad: args.u128(),
                liquidation_bonus_wad: args.u128(),
                protocol_fee_wad: args.u128(),
                requested_repay: args.u128(),
                min_collateral_out: args.u128(),
                dust_value_wad: args.u128(),
            };
            plan_liquidation(&input).map(|plan| {
                vec![
                    plan.repay,
                    plan.collateral_seized,
                    plan.protocol_fee,
                    plan.liquidator_collateral,
                ]
            })
        }
        other => panic!("unknown function {other}"),
    };
    args.done();
    show(result)
}

/// Every function the model mirrors: each must have vectors, so a truncated file fails.
const FUNCTIONS: [&str; 22] = [
    "mul_div",
    "wad_mul",
    "wad_div",
    "ray_mul",
    "ray_div",
    "add",
    "sub",
    "ray_pow",
    "value_wad",
    "amount_for_value",
    "utilization",
    "borrow_rate_year",
    "borrow_rate_sec",
    "supply_rate",
    "accrue",
    "supply",
    "withdraw",
    "borrow",
    "repay",
    "liquidation_repay",
    "health",
    "plan_liquidation",
];

#[test]
fn rust_matches_the_proved_model() {
    let path = std::env::var("CARRACK_DIFF_VECTORS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../proofs/vectors/committed.txt"
        )
        .to_string()
    });
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read the vectors {path}: {err}"));
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let (inputs, expected) = line
            .split_once(" => ")
            .unwrap_or_else(|| panic!("line {}: no ' => '", number + 1));
        let words: Vec<&str> = inputs.split_whitespace().collect();
        let (function, rest) = words.split_first().expect("empty line");
        let actual = run(function, &mut Args { items: rest.iter() });
        let count = counts.entry(function).or_default();
        count.0 += 1;
        if expected.starts_with("Ok") {
            count.1 += 1;
        }
        if actual != expected {
            mismatches.push(format!(
                "line {}: {line}\n    Rust gives: {actual}",
                number + 1
            ));
        }
    }
    for function in FUNCTIONS {
        let (all, ok) = counts.get(function).copied().unwrap_or_default();
        assert!(all > 0, "no vectors for {function} in {path}");
        assert!(ok > 0, "no Ok vectors for {function} in {path}");
    }
    let total: usize = counts.values().map(|c| c.0).sum();
    println!("{total} vectors from {path}");
    for (function, (all, ok)) in &counts {
        println!("  {function:18} {all:7} ({ok} Ok)");
    }
    assert!(
        mismatches.is_empty(),
        "{} of {total} vectors differ between Rust and proofs/model.py:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // pow10 and the decimals bound are what the model's unit() assumes.
    assert_eq!(pow10(24), Ok(10u128.pow(24)));
    assert_eq!(
        value_wad(1, 25, 1, Rounding::Down),
        Err(CoreError::UnsupportedDecimals)
    );
}
