#!/usr/bin/env python3
"""Machine-checked proofs of carrack-core's math with z3, on proofs/model.py.

Each obligation asserts the input ranges and the *negation* of the property and expects
`unsat` (no counterexample exists). Prints one line per obligation with its solver time
and exits non-zero if any obligation is `sat` (a counterexample, printed), `unknown` or
over its time limit (an `unknown` is retried twice on a fresh solver with other random
seeds first, with the full limit: z3 is not deterministic from run to run, and the first
try stops at FIRST_TRY_SECS).

    prove.py [--timeout SECONDS] [--only PREFIX] [--summary FILE]
"""

import argparse
import sys
import time
from pathlib import Path

import z3

sys.path.insert(0, str(Path(__file__).resolve().parent))
import model as M  # noqa: E402
from model import AND, OR, NOT, E, OK, RAY, WAD, U128_MAX  # noqa: E402

MAX_UNIT = 10**M.MAX_DECIMALS
# The documented overflow horizon (market.rs, MarketState::accrue): "about 2.6 years at
# the 1000 %/yr cap". Proved below for one accrual of up to this many seconds.
HORIZON_SECS = 26 * M.SECONDS_PER_YEAR // 10  # 2.6 years = 81,993,600 s

RESULTS = []  # (property, obligation, result, seconds)
FAILED = []


def u128(name):
    x = z3.Int(name)
    return x, [x >= 0, x <= U128_MAX]


def u128s(names):
    xs, cs = [], []
    for n in names.split():
        x, c = u128(n)
        xs.append(x)
        cs += c
    return xs, cs


# z3 is not deterministic from run to run (some of its tables hash pointers): a control
# that answers sat in 0.3 s once came back `unknown` at its 60 s limit in CI. Any definite
# answer is as valid as the first would have been (sat comes with a model, unsat is a
# proof), so a check that comes back `unknown` is repeated on a fresh solver with each of
# these random seeds before it counts as a failure.
RETRY_SEEDS = (1, 2)

# The first try of a check gets at most this long; the retries get the full --timeout. The
# slowest obligation answers in under 7 s, but the dust-sweep control ran into its 60 s
# limit on the first try in 2 of 5 CI runs of 2026-12-07 (then sat at once with seed 1):
# a minute of every such run spent waiting for an answer a fresh seed gives at once.
FIRST_TRY_SECS = 15.0


def retry(prop, name, what, s, r, formulas, timeout):
    """`s`'s answer `r`, or on `unknown` that of a fresh solver over `formulas` with each
    of RETRY_SEEDS in turn; returns the solver that answered and its answer."""
    for seed in RETRY_SEEDS:
        if r != z3.unknown:
            break
        print(f"       {prop} {name}: {what} unknown ({s.reason_unknown()}), "
              f"retrying with random seed {seed}", flush=True)
        s = z3.Solver()
        s.set("timeout", int(timeout * 1000))
        s.set("random_seed", seed)
        s.add(*formulas)
        r = s.check()
    return s, r


def prove(prop, name, assumptions, claim, timeout, expect=z3.unsat):
    """Checks that `assumptions => claim` holds for all values: `assumptions and not claim`
    must be unsat. The assumptions alone must be satisfiable (no vacuous proof). A control
    (expect=z3.sat) is a deliberately false claim that must get a counterexample, to show
    the model and solver can see the difference."""
    s = z3.Solver()
    s.set("timeout", int(min(timeout, FIRST_TRY_SECS) * 1000))
    s.add(*assumptions)
    start = time.perf_counter()
    s, r = retry(prop, name, "the assumptions alone:", s, s.check(), assumptions, timeout)
    vacuous = r != z3.sat
    if not vacuous:
        # Incremental on the first try (the assumptions are already in the solver).
        s.add(z3.Not(claim))
        s, r = retry(prop, name, "the obligation:", s, s.check(),
                     [*assumptions, z3.Not(claim)], timeout)
    secs = time.perf_counter() - start
    if vacuous:
        verdict = "VACUOUS assumptions" if r == z3.unsat else "unknown (assumptions)"
    elif expect == z3.sat:
        verdict = "sat (control, as expected)" if r == z3.sat else f"{r} (CONTROL FAILED)"
    else:
        verdict = ("unsat (proved)" if r == z3.unsat
                   else "sat (COUNTEREXAMPLE)" if r == z3.sat else "unknown/timeout")
    RESULTS.append((prop, name, verdict, secs))
    print(f"  {prop:4} {name:66} {verdict:22} {secs:7.2f} s", flush=True)
    if vacuous or r != expect:
        FAILED.append((prop, name))
        if r == z3.sat and expect != z3.sat:
            m = s.model()
            print("       counterexample: " + ", ".join(f"{d}={m[d]}" for d in m.decls()))
        elif r == z3.unknown:
            print(f"       reason: {s.reason_unknown()}")


def ok(res):
    return res[0] == OK


# --- P1: rounding --------------------------------------------------------------------


def p1_rounding(t):
    (a, b, d), rng = u128s("a b d")
    exact = a * b
    # The Rust intermediates cannot overflow: a*b fits the U256 of full_mul, the quotient
    # plus one the U512 of div_mod.
    prove("P1", "mul_div: a*b < 2^256 and quotient+1 < 2^512 (no intermediate wraps)", rng,
          AND(exact < 2**256, exact / z3.If(d == 0, 1, d) + 1 < 2**512), t)
    helpers = [
        ("mul_div", lambda up: M.mul_div(a, b, d, up), a * b, d, rng),
        ("wad_mul", lambda up: M.wad_mul(a, b, up), a * b, z3.IntVal(WAD), rng),
        ("wad_div", lambda up: M.wad_div(a, b, up), a * WAD, b, rng),
        ("ray_mul", lambda up: M.ray_mul(a, b, up), a * b, z3.IntVal(RAY), rng),
        ("ray_div", lambda up: M.ray_div(a, b, up), a * RAY, b, rng),
    ]
    for fname, f, num, den, cs in helpers:
        for up in (False, True):
            err, q = f(up)
            direction = "Up" if up else "Down"
            if up:
                spec = AND(q * den >= num, q * den < num + den)  # num/den <= q < num/den + 1
                fits = num <= U128_MAX * den
            else:
                spec = AND(q * den <= num, num < q * den + den)  # num/den - 1 < q <= num/den
                fits = num < (U128_MAX + 1) * den
            claim = z3.If(
                den == 0,
                err == E["DivisionByZero"],
                z3.If(fits, AND(err == OK, spec), err == E["Overflow"]),
            )
            prove("P1", f"{fname} {direction}: on its side, within one unit; Overflow iff result > u128::MAX",
                  cs, claim, t)
        if fname == "mul_div":
            err, q = f(False)
            prove("ctl", "control: mul_div Down claimed to round up (must be sat)",
                  cs + [err == OK], q * den >= num, t, expect=z3.sat)
        e_dn, q_dn = f(False)
        e_up, q_up = f(True)
        prove("P1", f"{fname}: Up - Down is 1 if inexact, 0 if exact", cs + [e_dn == OK, e_up == OK],
              z3.If(num % den == 0, q_up == q_dn, q_up == q_dn + 1), t)


# --- P2: round trips -----------------------------------------------------------------


def market_state(prefix):
    xs, cs = u128s(" ".join(f"{prefix}{f}" for f in M.STATE_FIELDS[:7]))
    last = z3.Int(prefix + "last")
    return (*xs, last), cs + [last >= 0, last <= M.U64_MAX]


def with_fields(state, **changes):
    s = list(state)
    for k, v in changes.items():
        s[M.STATE_FIELDS.index(k)] = v
    return tuple(s)


def p2_round_trips(t):
    state, cs = market_state("s_")
    (amount, w, cap, pos, min_debt), cs2 = u128s("amount w cap pos min_debt")
    cs += cs2
    si, bi = state[2], state[3]
    # Per operation, at any index (> 0): value never created.
    err, scaled, cash1, tss1 = M.supply(state, cap, amount)
    prove("P2", "supply: scaled minted * index <= amount paid in * RAY", cs + [err == OK],
          scaled * si <= amount * RAY, t)
    err, paid, burned, _, _ = M.withdraw(state, pos, w)
    prove("P2", "withdraw (any amount or ALL): amount out * RAY <= scaled burned * index",
          cs + [err == OK], paid * RAY <= burned * si, t)
    err, minted, _, _ = M.borrow(state, cap, min_debt, pos, amount)
    prove("P2", "borrow: scaled debt minted * index >= amount lent * RAY", cs + [err == OK],
          minted * bi >= amount * RAY, t)
    err, taken, burned, _, _ = M.burn_debt(state, pos, w, min_debt)
    prove("P2", "repay/liquidation_repay (any, ALL): scaled burned * index <= amount in * RAY",
          cs + [err == OK], burned * bi <= taken * RAY, t)
    # End to end at one index >= 1 RAY: supply then withdraw from the new position.
    err1, scaled, cash1, tss1 = M.supply(state, cap, amount)
    after = with_fields(state, cash=cash1, total_scaled_supply=tss1)
    err2, paid, burned, _, _ = M.withdraw(after, scaled, w)
    prove("ctl", "control: a withdraw burn rounded down would cover the amount (must be sat)",
          cs + [si >= RAY, w >= 1], ((w * RAY) / si) * si >= w * RAY, t, expect=z3.sat)
    prove("P2", "supply A then withdraw (any amount or ALL) at index >= RAY: out <= A",
          cs + [si >= RAY, err1 == OK, err2 == OK], paid <= amount, t)
    # Borrow then repay: clearing the position costs at least what was lent.
    err1, minted, cash1, tsd1 = M.borrow(state, cap, min_debt, 0, amount)
    after = with_fields(state, cash=cash1, total_scaled_debt=tsd1)
    err2, taken, burned, _, _ = M.burn_debt(after, minted, w, min_debt)
    prove("P2", "borrow B then repay clearing the position at index >= RAY: paid >= B",
          cs + [bi >= RAY, err1 == OK, err2 == OK, burned == minted], taken >= amount, t)


# --- P3: accrual ---------------------------------------------------------------------


def p3_accrual(t):
    (x, y, x2, y2), cs = u128s("x y x2 y2")
    for up in (True, False):
        r = "Up" if up else "Down"
        e1, m1 = M.ray_mul(x, y, up)
        e2, m2 = M.ray_mul(x2, y2, up)
        prove("P3", f"lemma ray_mul {r} monotone: x<=x2, y<=y2, (x2,y2) Ok => (x,y) Ok, <=",
              cs + [x <= x2, y <= y2, e2 == OK], AND(e1 == OK, m1 <= m2), t)
        prove("P3", f"lemma ray_mul {r}: y >= RAY => result >= x", cs + [y >= RAY, e1 == OK],
              m1 >= x, t)
    # ray_pow's loop (base >= RAY): one turn keeps result >= RAY, square >= RAY and never
    # lowers result; by induction from result = RAY, square = base, growth >= RAY.
    (res, sq), cs = u128s("res sq")
    bit, more = z3.Bools("bit more")
    run = M.Run()
    res2, sq2 = M.ray_pow_step(run, res, sq, bit, more, True)
    prove("P3", "ray_pow Up loop turn: result, square >= RAY stay >= RAY; result never drops",
          cs + [res >= RAY, sq >= RAY, run.err == OK], AND(res2 >= RAY, sq2 >= RAY, res2 >= res), t)
    # Whole accrue, with ray_pow's result abstracted by what the loop proof gives: any
    # growth >= RAY (or an error).
    state, cs = market_state("a_")
    (rf, base, low, high, kink, now), cs2 = u128s("rf base low high kink now")
    cs += cs2 + [now <= M.U64_MAX]
    g, g_err = z3.Int("growth"), z3.Int("growth_err")
    cs += [g >= RAY, g <= U128_MAX, z3.Or(g_err == OK, g_err == E["Overflow"])]

    def growth(run, _base, _elapsed, when):
        return run.take((g_err, g), when)

    out = M.accrue(state, (rf, (base, low, high, kink)), now, growth)
    prove("P3", "accrue Ok => borrow index and supply index never decrease (any config)",
          cs + [out[0] == OK], AND(out[4] >= state[3], out[3] >= state[2]), t)
    prove("P3", "accrue Err => state unchanged", cs + [out[0] != OK],
          AND(*[out[1 + k] == state[k] for k in range(8)]), t)
    # Rates are capped: whatever the model and utilization, the per-second rate is at
    # most the 1000 %/yr cap's, and the supply rate at most the borrow rate.
    r_max = M.mul_div(M.MAX_BORROW_RATE_WAD, M.WAD_TO_RAY, M.SECONDS_PER_YEAR, True)[1]
    (u,), cs2 = u128s("u")
    e, rate = M.borrow_rate_per_second_ray((base, low, high, kink), u)
    prove("P3", f"borrow rate per second <= cap r_max = {r_max} (any model, utilization)",
          cs + cs2 + [e == OK], rate <= r_max, t)
    (br, util, rf2), cs3 = u128s("br util rf2")
    e, srate = M.supply_rate(br, util, rf2)
    prove("P3", "supply rate <= borrow rate", cs3 + [e == OK], srate <= br, t)
    p3_horizon(t, r_max)


def horizon_cubes(limit):
    """[0, limit] as aligned blocks: (fixed high bits, number of free low bits)."""
    cubes, n = [], limit + 1
    for j in range(n.bit_length() - 1, -1, -1):
        if n >> j & 1:
            cubes.append(((n >> (j + 1)) << 1, j))  # bits above j as in n, bit j = 0, j free
    return cubes


def p3_horizon(t, r_max):
    """No overflow within the horizon: for every rate <= r_max and every elapsed in
    [0, HORIZON_SECS], ray_pow(RAY + rate, elapsed, Up) and the new borrow index
    ray_mul(index, growth, Up) fit, for every index <= I_MAX. Proved turn by turn of the
    loop against a concrete worst-case chain (rate = r_max, every free bit set), each
    turn's obligation checked by z3 with the elapsed bits symbolic."""
    b_star = RAY + r_max
    nbits = HORIZON_SECS.bit_length()
    S = [b_star]
    for _ in range(nbits):
        S.append(M.ray_mul(S[-1], S[-1], True)[1])
    worst = 0
    start = time.perf_counter()
    count, bad = 0, []
    for fixed, free in horizon_cubes(HORIZON_SECS):
        # Bit k of elapsed: free below `free`, fixed above.
        bits = [z3.Bool(f"bit{k}") for k in range(nbits)]
        cube = [bits[k] == bool(fixed >> k & 1) for k in range(free, nbits)]
        P = RAY  # bound on result before turn k
        for k in range(nbits):
            may_set = k < free or bool(fixed >> k & 1)
            more = z3.Or(*bits[k + 1:]) if k + 1 < nbits else z3.BoolVal(False)
            (res, sq), cs = u128s(f"res{k} sq{k}")
            run = M.Run()
            res2, sq2 = M.ray_pow_step(run, res, sq, bits[k], more, True)
            P2 = M.ray_mul(P, S[k], True)[1] if may_set else P
            assert P2 <= U128_MAX
            post = [run.err == OK, res2 <= P2, res2 >= RAY, sq2 >= RAY]
            if k + 1 < nbits:
                post.append(z3.Implies(more, sq2 <= S[k + 1]))
            s = z3.Solver()
            s.set("timeout", int(t * 1000))
            s.add(cs + cube + [RAY <= res, res <= P, RAY <= sq, sq <= S[k]])
            s.add(z3.Not(z3.And(*post)))
            r = s.check()
            count += 1
            if r != z3.unsat:
                bad.append((fixed, free, k, r))
            P = P2
        worst = max(worst, P)
    secs = time.perf_counter() - start
    verdict = "unsat (proved)" if not bad else "FAILED"
    name = (f"ray_pow no overflow, elapsed <= {HORIZON_SECS} s (2.6 y), rate <= r_max "
            f"({count} turn obligations)")
    RESULTS.append(("P3", name, verdict, secs))
    print(f"  {'P3':4} {name:66} {verdict:22} {secs:7.2f} s", flush=True)
    if bad:
        FAILED.append(("P3", name))
        print(f"       failing turns (fixed, free, k, result): {bad[:5]}")
        return
    # growth <= worst; the new index ray_mul(index, growth, Up) fits for index <= I_MAX.
    i_max = (U128_MAX * RAY) // worst
    while M.ray_mul(i_max, worst, True)[0] != OK:
        i_max -= 1
    (idx, gr), cs = u128s("idx gr")
    e, new_index = M.ray_mul(idx, gr, True)
    prove("P3", f"new borrow index fits: index <= I_MAX = {i_max / RAY:.4f} RAY, growth <= {worst / RAY:.4e} RAY",
          cs + [idx <= i_max, RAY <= gr, gr <= worst], e == OK, t)
    # The supply index in the same accrual: linear = supply rate * elapsed and the new
    # supply index fit for a supply index <= S_MAX.
    (srate, el, sidx), cs = u128s("srate el sidx")
    lin_max = r_max * HORIZON_SECS
    s_max = (U128_MAX * RAY) // (RAY + lin_max)
    e1, factor = M.add(RAY, srate * el)
    e2, new_s = M.ray_mul(sidx, factor, False)
    prove("P3", f"supply index fits: linear <= u128, index <= S_MAX = {s_max / RAY:.3e} RAY",
          cs + [srate <= r_max, el <= HORIZON_SECS, sidx <= s_max],
          AND(srate * el <= U128_MAX, e1 == OK, e2 == OK), t)
    print(f"       horizon: growth over 2.6 y at the cap <= {worst / RAY:.6e}x; "
          f"I_MAX = {i_max} ({i_max / RAY:.4f} RAY)")


# --- P4: health factor ---------------------------------------------------------------


def p4_health(t):
    (cv, bp, lc, dv, amount, p1, p2, ltv, lt, unit), cs = u128s("cv bp lc dv amount p1 p2 ltv lt unit")
    cs += [unit >= 1, unit <= MAX_UNIT, p1 <= p2]
    rest = (cv, bp, lc, dv)
    h1 = M.add_collateral_u(rest, amount, unit, p1, ltv, lt)
    h2 = M.add_collateral_u(rest, amount, unit, p2, ltv, lt)
    f1, f2 = M.health_factor_wad(h1[1:]), M.health_factor_wad(h2[1:])
    prove("P4", "collateral price up: HF (and borrowing power) not down; no new error",
          cs + [h2[0] == OK], AND(h1[0] == OK, f1[1] <= f2[1], h1[2] <= h2[2]), t)
    d1 = M.add_debt_u(rest, amount, unit, p1)
    d2 = M.add_debt_u(rest, amount, unit, p2)
    g1, g2 = M.health_factor_wad(d1[1:]), M.health_factor_wad(d2[1:])
    prove("P4", "debt price up: HF not up; no new error", cs + [d2[0] == OK],
          AND(d1[0] == OK, g2[1] <= g1[1]), t)
    prove("P4", "lemma: sums of non-negative terms overflow iff the total does (order-free)",
          cs, (cv + bp + lc > U128_MAX) == OR(cv + bp > U128_MAX, cv + bp + lc > U128_MAX), t)


# --- P5: liquidation -----------------------------------------------------------------


def liquidation_vars():
    names = ("health_factor_wad debt_balance debt_price_wad collateral_balance "
             "collateral_price_wad liquidation_bonus_wad protocol_fee_wad requested_repay "
             "min_collateral_out dust_value_wad debt_unit collateral_unit")
    xs, cs = u128s(names)
    i = dict(zip(names.split(), xs))
    cs += [i["debt_unit"] >= 1, i["debt_unit"] <= MAX_UNIT,
           i["collateral_unit"] >= 1, i["collateral_unit"] <= MAX_UNIT]
    return i, cs


def p5_liquidation(t):
    """Modular: the three helpers are proved against a contract (lemmas L1-L3), then
    plan_liquidation is proved with each helper call replaced by fresh values that satisfy
    only that contract (an over-approximation: every real behaviour is included)."""
    i, cs = liquidation_vars()
    ud, uc = i["debt_unit"], i["collateral_unit"]
    dp, cp, bonus = i["debt_price_wad"], i["collateral_price_wad"], i["liquidation_bonus_wad"]
    k_coll = cp * ud * WAD  # value(x collateral) = x * k_coll / (uc * ud * WAD)
    k_debt = dp * uc * bonus  # value(x debt) * bonus = x * k_debt / (uc * ud * WAD)
    (x,), cs_x = u128s("x")

    run = M.Run()
    seized = M.collateral_for_repay(run, i, x, True)
    prove("P5", "L1 collateral_for_repay(r) Ok => value(seized) <= value(r) * bonus",
          cs + cs_x, z3.Implies(run.err == OK, seized * k_coll <= x * k_debt), t)
    run = M.Run()
    repay = M.repay_for_collateral(run, i, x, True)
    prove("P5", "L2 repay_for_collateral(c) Ok => value(repay) * bonus >= value(c)",
          cs + cs_x, z3.Implies(run.err == OK, repay * k_debt >= x * k_coll), t)
    (amount, unit_, price, dust), cs_d = u128s("amount unit_ price dust")
    run = M.Run()
    flag = M.is_dust(run, amount, unit_, price, dust, True)
    prove("P5", "L3 is_dust(a) Ok and true => a != 0 and a * price < dust * unit (exact)",
          cs_d + [unit_ >= 1], z3.Implies(z3.And(run.err == OK, flag),
                                          z3.And(amount != 0, amount * price < dust * unit_)), t)

    extra = []
    counter = [0]

    def fresh(kind):
        counter[0] += 1
        e = z3.Int(f"{kind}_err{counter[0]}")
        v = z3.Int(f"{kind}_val{counter[0]}")
        extra.extend([e >= 0, v >= 0, v <= U128_MAX])
        return e, v

    def cfr(run, i_, repay_, when):
        e, v = fresh("cfr")
        extra.append(z3.Implies(e == OK, v * k_coll <= repay_ * k_debt))
        return run.take((e, v), when)

    def rfc(run, i_, coll, when):
        e, v = fresh("rfc")
        extra.append(z3.Implies(e == OK, v * k_debt >= coll * k_coll))
        return run.take((e, v), when)

    def dusty(run, amount_, unit__, price_, dust_, when):
        counter[0] += 1
        e = z3.Int(f"dust_err{counter[0]}")
        f = z3.Bool(f"dust_flag{counter[0]}")
        extra.extend([e >= 0, z3.Implies(f, amount_ != 0),
                      z3.Implies(z3.And(e == OK, f), amount_ * price_ < dust_ * unit__)])
        run.take((e, 0), AND(when, amount_ != 0))
        return f

    trace = {}
    err, repay, seized, fee, to_liq = M.plan_liquidation_u(
        i, trace, abstract={"cfr": cfr, "rfc": rfc, "dust": dusty})
    cs = cs + extra
    seized_v, allowed_v = seized * k_coll, repay * k_debt
    dust_v = i["dust_value_wad"] * uc * ud * WAD
    swept = trace["sweep"]
    prove("P5", "no dust sweep: value(seized) <= value(repaid) * bonus (exact)",
          cs + [err == OK, NOT(swept)], seized_v <= allowed_v, t)
    prove("P5", "dust sweep: value(seized) < value(repaid) * bonus + dust threshold",
          cs + [err == OK, swept], seized_v < allowed_v + dust_v, t)
    prove("ctl", "control: dust sweep without the dust allowance (must be sat)",
          cs + [err == OK, swept], seized_v <= allowed_v, t, expect=z3.sat)
    prove("P5", "plan Ok => bonus > 1, fee share <= 1, liquidator + fee = seized",
          cs + [err == OK],
          AND(bonus > WAD, i["protocol_fee_wad"] <= WAD, to_liq + fee == seized), t)
    (sz, bw, fw, bp, fe), cs_f = u128s("sz bw fw bp fe")
    run = M.Run()
    part = M.bonus_part(run, sz, bw)
    prove("P5", "L4 bonus part (bonus > 1): part * bonus <= seized * (bonus - 1), part <= seized",
          cs_f + [bw > WAD, run.err == OK], AND(part * bw <= sz * (bw - WAD), part <= sz), t)
    e, f = M.wad_mul(bp, fw, True)
    prove("P5", "L5 fee = share of the part, rounded up (share <= 1): fee <= part",
          cs_f + [fw <= WAD, e == OK], f <= bp, t)
    prove("P5", "L4 + L5: fee * bonus <= seized * (bonus - 1): fee never above the bonus",
          cs_f + [bw > WAD, bp * bw <= sz * (bw - WAD), fe <= bp], fe * bw <= sz * (bw - WAD), t)
    prove("P5", "seized <= collateral; repay <= debt and <= requested (unless ALL)",
          cs + [err == OK],
          AND(seized <= i["collateral_balance"], repay <= i["debt_balance"],
              z3.Implies(i["requested_repay"] != M.ALL, repay <= i["requested_repay"])), t)


PROPERTIES = [("P1", p1_rounding), ("P2", p2_round_trips), ("P3", p3_accrual),
              ("P4", p4_health), ("P5", p5_liquidation)]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per obligation")
    p.add_argument("--only", default="", help="run only properties starting with this")
    p.add_argument("--summary", help="write 'property<TAB>obligation<TAB>result<TAB>secs' here")
    a = p.parse_args()
    print(f"z3 {z3.get_version_string()}, {a.timeout:.0f} s limit per obligation")
    start = time.perf_counter()
    for prop, fn in PROPERTIES:
        if prop.startswith(a.only):
            fn(a.timeout)
    total = time.perf_counter() - start
    if a.summary:
        Path(a.summary).write_text(
            "".join(f"{p}\t{n}\t{v}\t{s:.2f}\n" for p, n, v, s in RESULTS))
    print(f"{len(RESULTS) - len(FAILED)}/{len(RESULTS)} obligations proved in {total:.1f} s")
    if FAILED:
        print("NOT PROVED: " + "; ".join(f"{p} {n}" for p, n in FAILED), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
