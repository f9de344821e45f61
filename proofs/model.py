"""One model of carrack-core's math, evaluated two ways.

Every function here mirrors a Rust function of `contracts/core` line by line, with the
same checks in the same order and the same error for each. The arguments may be plain
Python integers (the *evaluator*: `gen_vectors.py` runs it on random and edge inputs and
the Rust differential test `contracts/core/tests/differential.rs` requires identical
results, errors included) or z3 integer terms (the *proofs*: `prove.py` asserts the
negation of each property and expects `unsat`). The same source text serves both, so the
proofs are about exactly the code the differential test compares with Rust.

Arithmetic model. The Rust code never wraps: `mul_div` forms `a * b` in 256 bits from two
`u128` (so the product is exact: below 2^256), divides in 512 bits, adds the rounding unit
in 512 bits (cannot overflow) and converts back with a checked `u128::try_from`; `add` and
`sub` are checked. So mathematical integers with explicit range checks are an exact
model: each function returns `(error_code, values...)`, error 0 meaning `Ok`.

Control flow. A `Run` records the first error (the Rust `?` and `return Err`); values
computed after an error are ignored. Branches on possibly-symbolic conditions use `ite`
(both sides are computed; the condition picks one).
"""

import z3

U128_MAX = 2**128 - 1
U64_MAX = 2**64 - 1
WAD = 10**18
RAY = 10**27
WAD_TO_RAY = 10**9
SECONDS_PER_YEAR = 31_536_000
MAX_BORROW_RATE_WAD = 10 * WAD
MAX_DECIMALS = 24
ALL = U128_MAX
CLOSE_FACTOR_WAD = WAD // 2
FULL_CLOSE_HEALTH_FACTOR_WAD = 95 * WAD // 100
NO_DEBT_HEALTH_FACTOR = U128_MAX

# CoreError variants (and the two ConfigError ones plan_liquidation returns), by name.
ERRORS = [
    "Ok",
    "Overflow",
    "Underflow",
    "DivisionByZero",
    "UnsupportedDecimals",
    "ZeroAmount",
    "AmountTooSmall",
    "TimeWentBackwards",
    "SupplyCapExceeded",
    "BorrowCapExceeded",
    "BelowMinimumDebt",
    "InsufficientCash",
    "InsufficientSupply",
    "RepayExceedsDebt",
    "NotLiquidatable",
    "LeavesDebtDust",
    "LeavesCollateralDust",
    "CollateralOutBelowMinimum",
    "NoCollateral",
    "NoDebt",
    "InvalidConfig(LiquidationBonusNotAboveOne)",
    "InvalidConfig(ProtocolFeeAboveOne)",
]
E = {name: code for code, name in enumerate(ERRORS)}
OK = 0


# --- concrete/symbolic helpers ------------------------------------------------------


def is_sym(*xs):
    return any(isinstance(x, z3.ExprRef) for x in xs)


def ite(c, a, b):
    """`if c { a } else { b }`, element-wise on tuples."""
    if isinstance(a, tuple):
        return tuple(ite(c, x, y) for x, y in zip(a, b))
    if isinstance(c, bool):
        return a if c else b
    if not is_sym(a, b):
        a, b = z3.IntVal(a), z3.IntVal(b)
    return z3.If(c, a, b)


def AND(*cs):
    if is_sym(*cs):
        return z3.And(*cs)
    return all(cs)


def OR(*cs):
    if is_sym(*cs):
        return z3.Or(*cs)
    return any(cs)


def NOT(c):
    return z3.Not(c) if is_sym(c) else not c


def div(x, y):
    """Floor division of non-negative integers (never used with y = 0 when it matters)."""
    if is_sym(x, y):
        return x / y  # SMT-LIB div: floor for x >= 0, y > 0
    return x // y if y != 0 else 0


def mod(x, y):
    if is_sym(x, y):
        return x % y
    return x % y if y != 0 else 0


def mn(a, b):
    return ite(a <= b, a, b)


def mx(a, b):
    return ite(a >= b, a, b)


class Run:
    """The first error of a computation, as Rust's `?` would return it."""

    def __init__(self):
        self.err = OK

    def fail(self, cond, code):
        """`if cond { return Err(code) }` (if no error happened before)."""
        if is_sym(self.err, cond, code):
            self.err = z3.If(z3.And(self.err == 0, cond), code, self.err)
        elif self.err == 0 and cond:
            self.err = code

    def take(self, res, when=True):
        """`res?` (only when `when` holds: the call sits in a branch)."""
        err, *vals = res
        self.fail(AND(when, err != 0), err)
        return vals[0] if len(vals) == 1 else tuple(vals)

    def result(self, *vals):
        return (self.err, *vals)


# --- fixed_point.rs -----------------------------------------------------------------


def mul_div(a, b, d, up):
    """fixed_point::mul_div. `up` is Rounding::Up (True) or Down (False)."""
    product = a * b
    q = div(product, d)
    q = ite(AND(up, mod(product, d) != 0), q + 1, q)
    return ite(d == 0, (E["DivisionByZero"], 0), ite(q > U128_MAX, (E["Overflow"], 0), (OK, q)))


def wad_mul(a, b, up):
    return mul_div(a, b, WAD, up)


def wad_div(a, b, up):
    return mul_div(a, WAD, b, up)


def ray_mul(a, b, up):
    return mul_div(a, b, RAY, up)


def ray_div(a, b, up):
    return mul_div(a, RAY, b, up)


def add(a, b):
    return ite(a + b > U128_MAX, (E["Overflow"], 0), (OK, a + b))


def sub(a, b):
    return ite(a < b, (E["Underflow"], 0), (OK, a - b))


def ray_pow_step(run, result, square, bit, more, up):
    """One turn of fixed_point::ray_pow's loop: `bit` is `remaining & 1 == 1`, `more` is
    `(remaining >> 1) > 0`."""
    result = ite(bit, run.take(ray_mul(result, square, up), when=bit), result)
    square = ite(more, run.take(ray_mul(square, square, up), when=more), square)
    return result, square


def ray_pow(base, exponent, up):
    """fixed_point::ray_pow, for a concrete exponent (the proofs use ray_pow_step)."""
    run = Run()
    result, square, remaining = RAY, base, exponent
    while remaining > 0:
        bit = remaining & 1 == 1
        remaining >>= 1
        result, square = ray_pow_step(run, result, square, bit, remaining > 0, up)
    return run.result(result)


# --- value.rs -----------------------------------------------------------------------


def unit(decimals):
    if decimals > MAX_DECIMALS:
        return (E["UnsupportedDecimals"], 0)
    return (OK, 10**decimals)


def value_wad_u(amount, unit_, price, up):
    """value_wad once `unit(decimals)` succeeded: the proofs take any unit in 1..=1e24."""
    return mul_div(amount, price, unit_, up)


def value_wad(amount, decimals, price, up):
    run = Run()
    u = run.take(unit(decimals))
    return run.result(run.take(value_wad_u(amount, u, price, up)))


def amount_for_value_u(value, unit_, price, up):
    return ite(price == 0, (E["DivisionByZero"], 0), mul_div(value, unit_, price, up))


def amount_for_value(value, decimals, price, up):
    if price == 0:
        return (E["DivisionByZero"], 0)
    run = Run()
    u = run.take(unit(decimals))
    return run.result(run.take(amount_for_value_u(value, u, price, up)))


# --- rate_model.rs ------------------------------------------------------------------


def utilization_wad(cash, debt):
    run = Run()
    total = run.take(add(cash, debt))
    u = run.take(mul_div(debt, WAD, total, False), when=total != 0)
    return run.result(ite(total == 0, 0, u))


def borrow_rate_per_year_wad(model, utilization):
    base, slope_low, slope_high, kink = model
    run = Run()
    u = mn(utilization, WAD)
    low_branch = u <= kink
    high_branch = NOT(low_branch)
    low = run.take(mul_div(slope_low, u, kink, True), when=low_branch)
    rate_low = run.take(add(base, low), when=low_branch)
    excess = run.take(sub(u, kink), when=high_branch)
    above = run.take(sub(WAD, kink), when=high_branch)
    high = run.take(mul_div(slope_high, excess, above, True), when=high_branch)
    base_low = run.take(add(base, slope_low), when=high_branch)
    rate_high = run.take(add(base_low, high), when=high_branch)
    rate = ite(low_branch, rate_low, rate_high)
    return run.result(mn(rate, MAX_BORROW_RATE_WAD))


def borrow_rate_per_second_ray(model, utilization):
    run = Run()
    per_year = run.take(borrow_rate_per_year_wad(model, utilization))
    return run.result(run.take(mul_div(per_year, WAD_TO_RAY, SECONDS_PER_YEAR, True)))


def supply_rate(borrow_rate, utilization, reserve_factor):
    run = Run()
    after_reserves = run.take(sub(WAD, mn(reserve_factor, WAD)))
    used = run.take(wad_mul(borrow_rate, mn(utilization, WAD), False))
    return run.result(run.take(wad_mul(used, after_reserves, False)))


# --- market.rs ----------------------------------------------------------------------
# A state is the tuple (total_scaled_supply, total_scaled_debt, supply_index_ray,
# borrow_index_ray, cash, reserves, deficit, last_accrual_secs).

STATE_FIELDS = (
    "total_scaled_supply",
    "total_scaled_debt",
    "supply_index_ray",
    "borrow_index_ray",
    "cash",
    "reserves",
    "deficit",
    "last_accrual_secs",
)


def supply_balance(state, scaled):
    return ray_mul(scaled, state[2], False)


def debt_balance(state, scaled_debt):
    return ray_mul(scaled_debt, state[3], True)


def accrue(state, config, now, growth=None):
    """MarketState::accrue: (err, new state..., interest, reserve_share, deficit_covered),
    the state unchanged on an error. `config` is (reserve_factor_wad, (base, slope_low,
    slope_high, kink)). `growth(run, base_ray, elapsed, when)` stands for
    `ray_pow(base, elapsed, Up)?`: the concrete ray_pow by default; the proofs pass a
    fresh value constrained by what they proved of ray_pow's loop. A growth that does
    not fit (`Overflow` anywhere in `grown`, the market past its horizon) moves only the
    clock, as Rust's `halted` accrual does; any other error of `grown` is returned."""
    reserve_factor, rate_model = config
    tss, tsd, si, bi, cash, reserves, deficit, last = state
    growth = growth or _concrete_growth
    run = Run()
    run.fail(now < last, E["TimeWentBackwards"])
    elapsed = now - last
    idle = OR(elapsed == 0, tsd == 0)
    w = AND(NOT(idle), run.err == OK)
    g_run = Run()  # MarketState::grown
    debt_before = g_run.take(ray_mul(tsd, bi, True), w)
    utilization = g_run.take(utilization_wad(cash, debt_before), w)
    borrow_rate_ray = g_run.take(borrow_rate_per_second_ray(rate_model, utilization), w)
    g = growth(g_run, g_run.take(add(RAY, borrow_rate_ray), w), elapsed, w)
    borrow_index = g_run.take(ray_mul(bi, g, True), w)
    debt_after = g_run.take(ray_mul(tsd, borrow_index, True), w)
    interest = g_run.take(sub(debt_after, debt_before), w)
    earning_share = g_run.take(
        utilization_wad(g_run.take(add(cash, deficit), w), debt_before), w)
    supply_rate_ray = g_run.take(supply_rate(borrow_rate_ray, earning_share, reserve_factor), w)
    linear = supply_rate_ray * elapsed
    g_run.fail(AND(w, linear > U128_MAX), E["Overflow"])
    supply_index = mx(g_run.take(ray_mul(si, g_run.take(add(RAY, linear), w), False), w), si)
    exact_growth = g_run.take(ray_mul(tsd, g_run.take(sub(borrow_index, bi), w), False), w)
    reserve_share = g_run.take(wad_mul(exact_growth, reserve_factor, False), w)
    deficit_covered = mn(reserve_share, deficit)
    new_reserves = g_run.take(
        add(reserves, g_run.take(sub(reserve_share, deficit_covered), w)), w)
    new_deficit = g_run.take(sub(deficit, deficit_covered), w)
    # Every total later messages form must still fit.
    g_run.take(ray_mul(tss, supply_index, True), w)
    g_run.take(add(g_run.take(add(cash, new_deficit), w), debt_after), w)
    halted = g_run.err == E["Overflow"]
    run.fail(AND(w, g_run.err != OK, NOT(halted)), g_run.err)
    unchanged = (*state, 0, 0, 0)
    clock_only = (tss, tsd, si, bi, cash, reserves, deficit, now, 0, 0, 0)
    accrued = (tss, tsd, supply_index, borrow_index, cash, new_reserves, new_deficit,
               now, interest, reserve_share, deficit_covered)
    return (run.err, *ite(run.err != 0, unchanged,
                          ite(OR(idle, halted), clock_only, accrued)))


def _concrete_growth(run, base, elapsed, when):
    if not when or elapsed < 0:
        return RAY
    return run.take(ray_pow(base, elapsed, True), when)


def supply(state, supply_cap, amount):
    """MarketState::supply: (err, scaled, new_cash, new_total_scaled_supply)."""
    tss, tsd, si, bi, cash, reserves, deficit, last = state
    run = Run()
    run.fail(amount == 0, E["ZeroAmount"])
    scaled = run.take(ray_div(amount, si, False))
    run.fail(scaled == 0, E["AmountTooSmall"])
    new_tss = run.take(add(tss, scaled))
    total_supply = run.take(ray_mul(new_tss, si, True))
    run.fail(total_supply > supply_cap, E["SupplyCapExceeded"])
    new_cash = run.take(add(cash, amount))
    return run.result(scaled, new_cash, new_tss)


def withdraw(state, position_scaled, amount):
    """MarketState::withdraw: (err, amount paid, scaled burned, new_cash, new_tss)."""
    tss, tsd, si, bi, cash, reserves, deficit, last = state
    run = Run()
    is_all = amount == ALL
    balance = run.take(supply_balance(state, position_scaled), when=is_all)
    run.fail(AND(NOT(is_all), amount == 0), E["ZeroAmount"])
    burn = run.take(ray_div(amount, si, True), when=NOT(is_all))
    paid = ite(is_all, balance, amount)
    scaled = ite(is_all, position_scaled, burn)
    run.fail(OR(position_scaled == 0, scaled > position_scaled), E["InsufficientSupply"])
    run.fail(paid > cash, E["InsufficientCash"])
    new_cash = run.take(sub(cash, paid))
    new_tss = run.take(sub(tss, scaled))
    return run.result(paid, scaled, new_cash, new_tss)


def borrow(state, borrow_cap, min_debt, position_scaled_debt, amount):
    """MarketState::borrow: (err, scaled debt minted, new_cash, new_total_scaled_debt)."""
    tss, tsd, si, bi, cash, reserves, deficit, last = state
    run = Run()
    run.fail(amount == 0, E["ZeroAmount"])
    run.fail(amount > cash, E["InsufficientCash"])
    scaled = run.take(ray_div(amount, bi, True))
    position_debt = run.take(debt_balance(state, run.take(add(position_scaled_debt, scaled))))
    run.fail(position_debt < min_debt, E["BelowMinimumDebt"])
    new_tsd = run.take(add(tsd, scaled))
    run.fail(run.take(ray_mul(new_tsd, bi, True)) > borrow_cap, E["BorrowCapExceeded"])
    new_cash = run.take(sub(cash, amount))
    return run.result(scaled, new_cash, new_tsd)


def burn_debt(state, position_scaled_debt, amount, min_debt):
    """MarketState::repay (min_debt = config.min_debt) and liquidation_repay (0):
    (err, amount taken, scaled burned, new_cash, new_total_scaled_debt)."""
    tss, tsd, si, bi, cash, reserves, deficit, last = state
    run = Run()
    debt = run.take(debt_balance(state, position_scaled_debt))
    run.fail(debt == 0, E["NoDebt"])
    whole = OR(amount == ALL, amount == debt)
    part = NOT(whole)
    run.fail(AND(part, amount == 0), E["ZeroAmount"])
    run.fail(AND(part, amount > debt), E["RepayExceedsDebt"])
    burn = run.take(ray_div(amount, bi, False), when=part)
    run.fail(AND(part, burn == 0), E["AmountTooSmall"])
    remaining = run.take(
        debt_balance(state, run.take(sub(position_scaled_debt, burn), when=part)), when=part
    )
    run.fail(AND(part, remaining != 0, remaining < min_debt), E["BelowMinimumDebt"])
    taken = ite(whole, debt, amount)
    scaled = ite(whole, position_scaled_debt, burn)
    new_cash = run.take(add(cash, taken))
    new_tsd = run.take(sub(tsd, scaled))
    return run.result(taken, scaled, new_cash, new_tsd)


# --- health.rs ----------------------------------------------------------------------
# An AccountHealth is (collateral_value, borrowing_power, liquidation_capacity, debt_value).


def add_collateral_u(health, amount, unit_, price, ltv, lt):
    cv, bp, lc, dv = health
    run = Run()
    value = run.take(value_wad_u(amount, unit_, price, False))
    cv = run.take(add(cv, value))
    bp = run.take(add(bp, run.take(wad_mul(value, ltv, False))))
    lc = run.take(add(lc, run.take(wad_mul(value, lt, False))))
    return run.result(cv, bp, lc, dv)


def add_debt_u(health, amount, unit_, price):
    cv, bp, lc, dv = health
    run = Run()
    value = run.take(value_wad_u(amount, unit_, price, True))
    return run.result(cv, bp, lc, run.take(add(dv, value)))


def health_factor_wad(health):
    cv, bp, lc, dv = health
    err, ratio = wad_div(lc, dv, False)
    return (OK, ite(dv == 0, NO_DEBT_HEALTH_FACTOR, ite(err != 0, NO_DEBT_HEALTH_FACTOR, ratio)))


def account_health(collaterals, debts):
    """AccountHealth::default(), add_collateral for each (amount, decimals, price, ltv,
    lt), add_debt for each (amount, decimals, price), then health_factor_wad:
    (err, collateral_value, borrowing_power, liquidation_capacity, debt_value, hf)."""
    run = Run()
    health = (0, 0, 0, 0)
    for amount, decimals, price, ltv, lt in collaterals:
        u = run.take(unit(decimals))
        if run.err:
            break
        health = run.take(add_collateral_u(health, amount, u, price, ltv, lt))
        if run.err:
            break
    for amount, decimals, price in debts:
        if run.err:
            break
        u = run.take(unit(decimals))
        if run.err:
            break
        health = run.take(add_debt_u(health, amount, u, price))
    if run.err:
        return run.result(0, 0, 0, 0, 0)
    hf = run.take(health_factor_wad(health))
    return run.result(*health, hf)


# --- liquidation.rs -----------------------------------------------------------------
# A LiquidationInput is the tuple below, with units (10^decimals) in place of decimals
# for the proofs; `plan_liquidation` takes decimals and checks them as Rust does.

LIQ_FIELDS = (
    "health_factor_wad",
    "debt_balance",
    "debt_decimals",
    "debt_price_wad",
    "collateral_balance",
    "collateral_decimals",
    "collateral_price_wad",
    "liquidation_bonus_wad",
    "protocol_fee_wad",
    "requested_repay",
    "min_collateral_out",
    "dust_value_wad",
)


def collateral_for_repay(run, i, repay, when):
    repaid_value = run.take(value_wad_u(repay, i["debt_unit"], i["debt_price_wad"], False), when)
    with_bonus = run.take(wad_mul(repaid_value, i["liquidation_bonus_wad"], False), when)
    return run.take(
        amount_for_value_u(with_bonus, i["collateral_unit"], i["collateral_price_wad"], False),
        when,
    )


def repay_for_collateral(run, i, collateral, when):
    value = run.take(
        value_wad_u(collateral, i["collateral_unit"], i["collateral_price_wad"], True), when
    )
    without_bonus = run.take(mul_div(value, WAD, i["liquidation_bonus_wad"], True), when)
    return run.take(
        amount_for_value_u(without_bonus, i["debt_unit"], i["debt_price_wad"], True), when
    )


def is_dust(run, amount, unit_, price, dust, when):
    value = run.take(value_wad_u(amount, unit_, price, False), AND(when, amount != 0))
    return AND(amount != 0, value < dust)


def bonus_part(run, seized, bonus_wad):
    """`seized - min(seized / bonus rounded up, seized)`: the bonus part of a seizure."""
    base = mn(run.take(mul_div(seized, WAD, bonus_wad, True)), seized)
    return run.take(sub(seized, base))


def protocol_fee(run, seized, bonus_wad, fee_wad):
    """The fee lines of plan_liquidation: a share of the bonus part of the seizure."""
    return run.take(wad_mul(bonus_part(run, seized, bonus_wad), fee_wad, True))


def plan_liquidation_u(i, trace=None, abstract=None):
    """liquidation::plan_liquidation on an input dict with `debt_unit` and
    `collateral_unit` (10^decimals, already checked): (err, repay, collateral_seized,
    protocol_fee, liquidator_collateral). `trace`, when a dict, receives the intermediate
    values the proofs talk about. `abstract`, when given, replaces the helpers
    collateral_for_repay, repay_for_collateral and is_dust (keys `cfr`, `rfc`, `dust`) by
    the proofs' over-approximations of them."""
    cfr, rfc, dusty = collateral_for_repay, repay_for_collateral, is_dust
    if abstract is not None:
        cfr, rfc, dusty = abstract["cfr"], abstract["rfc"], abstract["dust"]
    run = Run()
    run.fail(i["health_factor_wad"] >= WAD, E["NotLiquidatable"])
    run.fail(i["debt_balance"] == 0, E["NoDebt"])
    run.fail(i["collateral_balance"] == 0, E["NoCollateral"])
    run.fail(i["requested_repay"] == 0, E["ZeroAmount"])
    run.fail(i["liquidation_bonus_wad"] <= WAD, E["InvalidConfig(LiquidationBonusNotAboveOne)"])
    run.fail(i["protocol_fee_wad"] > WAD, E["InvalidConfig(ProtocolFeeAboveOne)"])
    debt = i["debt_balance"]
    full_close = i["health_factor_wad"] <= FULL_CLOSE_HEALTH_FACTOR_WAD
    half = run.take(wad_mul(debt, CLOSE_FACTOR_WAD, True), when=NOT(full_close))
    max_repay = ite(full_close, debt, half)
    left_if_max = run.take(sub(debt, max_repay))
    dust_left = dusty(run, left_if_max, i["debt_unit"], i["debt_price_wad"], i["dust_value_wad"], True)
    max_repay = ite(dust_left, debt, max_repay)
    repay0 = mn(i["requested_repay"], max_repay)
    seized0 = cfr(run, i, repay0, True)
    capped = seized0 >= i["collateral_balance"]
    recomputed = rfc(run, i, i["collateral_balance"], capped)
    seized1 = ite(capped, i["collateral_balance"], seized0)
    repay1 = ite(capped, mn(repay0, recomputed), repay0)
    collateral_left = run.take(sub(i["collateral_balance"], seized1))
    debt_after = run.take(sub(debt, repay1), when=collateral_left != 0)
    debt_dust = dusty(
        run, debt_after, i["debt_unit"], i["debt_price_wad"], i["dust_value_wad"], collateral_left != 0
    )
    run.fail(AND(collateral_left != 0, debt_dust), E["LeavesDebtDust"])
    sweep = dusty(
        run, collateral_left, i["collateral_unit"], i["collateral_price_wad"], i["dust_value_wad"], True
    )
    swept_repay = mn(rfc(run, i, i["collateral_balance"], sweep), debt)
    run.fail(
        AND(sweep, i["requested_repay"] != ALL, swept_repay > i["requested_repay"]),
        E["LeavesCollateralDust"],
    )
    seized = ite(sweep, i["collateral_balance"], seized1)
    repay = ite(sweep, swept_repay, repay1)
    run.fail(OR(repay == 0, seized == 0), E["AmountTooSmall"])
    fee = protocol_fee(run, seized, i["liquidation_bonus_wad"], i["protocol_fee_wad"])
    to_liquidator = run.take(sub(seized, fee))
    run.fail(to_liquidator < i["min_collateral_out"], E["CollateralOutBelowMinimum"])
    if trace is not None:
        trace.update(
            repay0=repay0, seized0=seized0, capped=capped, sweep=sweep,
            collateral_left=collateral_left, max_repay=max_repay,
        )
    return run.result(repay, seized, fee, to_liquidator)


def plan_liquidation(fields):
    """plan_liquidation on the 12 LiquidationInput fields in LIQ_FIELDS order, for
    supported decimals (0..=24; an unsupported one is unit()'s error, which the value_wad
    vectors cover)."""
    i = dict(zip(LIQ_FIELDS, fields))
    assert i["debt_decimals"] <= MAX_DECIMALS and i["collateral_decimals"] <= MAX_DECIMALS
    i["debt_unit"] = 10 ** i["debt_decimals"]
    i["collateral_unit"] = 10 ** i["collateral_decimals"]
    return plan_liquidation_u(i)
