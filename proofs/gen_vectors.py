#!/usr/bin/env python3
"""Differential test vectors: random and edge-case inputs with the outputs the model
(proofs/model.py, the one the proofs are about) gives for them.

    gen_vectors.py [--seed N] [--per-function N] [--out FILE]

One case per line: `<function> <inputs...> => Ok <outputs...>` or `=> Err <CoreError>`,
all numbers in decimal, rounding as 1 (Up) or 0 (Down). The Rust test
contracts/core/tests/differential.rs runs the real functions on the inputs and requires
the same line. The output depends only on the seed and the count.
"""

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import model as M  # noqa: E402

EDGES = sorted(
    {0, 1, 2, 3, 7, 10, 999, 1000, 10**6, M.WAD - 1, M.WAD, M.WAD + 1, M.RAY - 1, M.RAY,
     M.RAY + 1, 2 * M.RAY, 2**64 - 1, 2**64, 2**96, 2**127, M.U128_MAX - 1, M.U128_MAX}
)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def u128(self, lo=0, hi=M.U128_MAX):
        """Edges a fifth of the time, otherwise log-uniform in [lo, hi]."""
        r = self.r
        hi = min(hi, M.U128_MAX)
        if r.random() < 0.2:
            edges = [e for e in EDGES if lo <= e <= hi]
            if edges:
                return r.choice(edges)
        bits = r.randint(lo.bit_length(), hi.bit_length())
        x = r.getrandbits(bits) | (1 << (bits - 1)) if bits else 0
        return min(max(x, lo), hi)

    def near(self, x, spread=1000):
        return max(0, min(M.U128_MAX, x + self.r.randint(-spread, spread)))

    def rounding(self):
        return self.r.randint(0, 1)

    def index(self):
        """An index: mostly >= 1.0 and not huge, sometimes anything."""
        r = self.r
        c = r.random()
        if c < 0.6:
            return M.RAY + self.u128(0, 10**30)
        if c < 0.8:
            return r.choice([M.RAY, M.RAY + 1, M.RAY + M.RAY // 3, 3 * M.RAY, M.RAY * 10**6])
        return self.u128()

    def state(self):
        r = self.r
        tss, tsd = self.u128(0, 2**100), self.u128(0, 2**100)
        return (tss, tsd, self.index(), self.index(), self.u128(0, 2**110),
                self.u128(0, 2**90), r.choice([0, 0, self.u128(0, 2**80)]),
                r.randint(0, 2**40))

    def decimals(self, allow_bad=True):
        r = self.r
        if allow_bad and r.random() < 0.05:
            return r.randint(25, 40)
        return r.choice([0, 6, 8, 18, 24, r.randint(0, 24)])

    def price(self):
        r = self.r
        return r.choice([0, 1, M.WAD, 2000 * M.WAD, self.u128(0, 10**30), self.u128()]) \
            if r.random() < 0.3 else self.u128(1, 10**28)


def fmt_result(res):
    err, *vals = res
    if err != 0:
        return "Err " + M.ERRORS[err]
    return "Ok " + " ".join(str(v) for v in vals)


def line(name, args, res):
    return f"{name} {' '.join(str(a) for a in args)} => {fmt_result(res)}"


def cases(g, n):
    r = g.r
    out = []
    u = g.u128
    for _ in range(n):
        a, b, d, rd = u(), u(), u(), g.rounding()
        if r.random() < 0.3:  # make results fit more often
            d = max(d, (a * b) >> 128)
            d = g.near(d, 3) if r.random() < 0.5 else d
        out.append(line("mul_div", (a, b, d, rd), M.mul_div(a, b, d, bool(rd))))
        a, b, rd = u(), u(0, 2**100), g.rounding()
        out.append(line("wad_mul", (a, b, rd), M.wad_mul(a, b, bool(rd))))
        out.append(line("wad_div", (a, b, rd), M.wad_div(a, b, bool(rd))))
        out.append(line("ray_mul", (a, b, rd), M.ray_mul(a, b, bool(rd))))
        out.append(line("ray_div", (a, b, rd), M.ray_div(a, b, bool(rd))))
        a, b = u(), u()
        out.append(line("add", (a, b), M.add(a, b)))
        out.append(line("sub", (a, b), M.sub(a, b)))
        base = r.choice([M.RAY + u(0, 10**22), M.RAY + u(0, 10**15), u(0, 10**28), u()])
        exp = r.choice([r.randint(0, 64), r.randint(0, 10**8), r.getrandbits(64)])
        rd = g.rounding()
        out.append(line("ray_pow", (base, exp, rd), M.ray_pow(base, exp, bool(rd))))
        amount, dec, price, rd = u(), g.decimals(), g.price(), g.rounding()
        out.append(line("value_wad", (amount, dec, price, rd), M.value_wad(amount, dec, price, bool(rd))))
        out.append(line("amount_for_value", (amount, dec, price, rd),
                        M.amount_for_value(amount, dec, price, bool(rd))))
        cash, debt = u(), u()
        if r.random() < 0.7:
            cash, debt = u(0, 2**120), u(0, 2**120)
        out.append(line("utilization", (cash, debt), M.utilization_wad(cash, debt)))
        model = rate_model(g)
        util = r.choice([0, M.WAD, 2 * M.WAD, model[3], min(model[3] + 1, M.U128_MAX), u(0, M.WAD), u()])
        out.append(line("borrow_rate_year", (*model, util), M.borrow_rate_per_year_wad(model, util)))
        out.append(line("borrow_rate_sec", (*model, util), M.borrow_rate_per_second_ray(model, util)))
        br, ut, rf = u(0, 10**30), r.choice([u(0, M.WAD), u()]), r.choice([u(0, M.WAD), u()])
        out.append(line("supply_rate", (br, ut, rf), M.supply_rate(br, ut, rf)))
        state = g.state()
        rf = r.choice([0, M.WAD // 10, M.WAD, u(0, M.WAD)])
        model = rate_model(g, valid=True)
        now = state[7] + r.choice([0, 1, 12, 3600, 31_536_000, r.randint(0, 10**8),
                                   -1 if state[7] else 0, r.randint(0, 2**62)])
        now = max(0, min(now, M.U64_MAX))
        out.append(line("accrue", (*state, rf, *model, now), M.accrue(state, (rf, model), now)))
        state = g.state()
        cap, amount = r.choice([M.U128_MAX, u()]), r.choice([u(0, 2**100), u(), 0, 1])
        out.append(line("supply", (*state, cap, amount), M.supply(state, cap, amount)))
        pos = r.choice([0, u(0, 2**100), state[0], u()])
        amount = r.choice([M.ALL, 0, u(0, 2**100), u(0, pos)])
        out.append(line("withdraw", (*state, pos, amount), M.withdraw(state, pos, amount)))
        cap, min_debt = r.choice([M.U128_MAX, u()]), r.choice([0, 0, u(0, 2**70)])
        pos, amount = r.choice([0, u(0, 2**100), u()]), r.choice([u(0, 2**100), 0, 1, u()])
        out.append(line("borrow", (*state, cap, min_debt, pos, amount),
                        M.borrow(state, cap, min_debt, pos, amount)))
        pos = r.choice([0, u(0, 2**100), u(0, state[1]), u()])
        debt_now = M.debt_balance(state, pos)[1]
        amount = r.choice([M.ALL, 0, debt_now, g.near(debt_now, 5), u(0, max(debt_now, 1)), u()])
        min_debt = r.choice([0, u(0, 2**60), u(0, max(debt_now, 1))])
        out.append(line("repay", (*state, min_debt, pos, amount), M.burn_debt(state, pos, amount, min_debt)))
        out.append(line("liquidation_repay", (*state, pos, amount), M.burn_debt(state, pos, amount, 0)))
        colls = [(u(0, 2**100), g.decimals(), g.price(), u(0, M.WAD), u(0, M.WAD))
                 for _ in range(r.randint(0, 3))]
        debts = [(u(0, 2**100), g.decimals(), g.price()) for _ in range(r.randint(0, 3))]
        args = [len(colls)] + [x for c in colls for x in c] + [len(debts)] + [x for d in debts for x in d]
        out.append(line("health", args, M.account_health(colls, debts)))
        fields = liquidation_input(g)
        out.append(line("plan_liquidation", fields, M.plan_liquidation(fields)))
    return out


def rate_model(g, valid=False):
    r, u = g.r, g.u128
    kink = r.choice([M.WAD // 2, 8 * M.WAD // 10, u(1, M.WAD - 1)])
    if valid or r.random() < 0.8:
        total = r.choice([M.MAX_BORROW_RATE_WAD, u(0, M.MAX_BORROW_RATE_WAD)])
        base = r.randint(0, total)
        low = r.randint(0, total - base)
        return (base, low, total - base - low, kink)
    return (u(), u(), u(), r.choice([0, M.WAD, kink, u()]))


def liquidation_input(g):
    r, u = g.r, g.u128
    valid = r.random() < 0.85  # past the entry checks, so the sizing itself is compared
    dd, cd = g.decimals(False), g.decimals(False)
    dp, cp = g.price(), g.price()
    if valid:
        dp, cp = max(dp, 1), max(cp, 1)
    debt = r.choice([u(1, 10**30), u(1, 10**12), 1] + ([] if valid else [0]))
    # collateral roughly matching the debt's value, so seizures often bind
    dv = debt * dp // 10**dd
    coll_guess = dv * 10**cd // cp if cp else 0
    coll = r.choice([g.near(coll_guess, max(coll_guess // 5, 3)), u(0, 10**30), 1, coll_guess])
    coll = min(coll, M.U128_MAX)
    if not valid:
        coll = r.choice([coll, 0])
    elif coll == 0:
        coll = 1
    hf = r.choice([u(0, M.WAD - 1), M.WAD - 1, M.FULL_CLOSE_HEALTH_FACTOR_WAD,
                   M.FULL_CLOSE_HEALTH_FACTOR_WAD + 1, u(0, M.FULL_CLOSE_HEALTH_FACTOR_WAD)])
    bonus = r.choice([105 * M.WAD // 100, M.WAD + 1, 3 * M.WAD // 2, u(M.WAD + 1, 3 * M.WAD // 2)])
    fee = r.choice([0, M.WAD // 10, M.WAD, u(0, M.WAD)])
    req = r.choice([M.ALL, M.ALL, u(1, max(debt, 1)), debt, u(1, M.U128_MAX)])
    if not valid:
        hf = r.choice([hf, M.WAD, u()])
        bonus = r.choice([bonus, M.WAD, u(0, M.WAD)])
        fee = r.choice([fee, M.WAD + 1, u()])
        req = r.choice([req, 0])
    min_out = r.choice([0, 0, 0, u(0, max(coll, 1))])
    dust = r.choice([0, M.WAD, u(0, 10**21), u(0, max(dv, 1))])
    return (hf, debt, dd, dp, coll, cd, cp, bonus, fee, req, min_out, dust)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--per-function", type=int, default=100)
    p.add_argument("--out", default="-")
    a = p.parse_args()
    lines = cases(Gen(a.seed), a.per_function)
    text = "\n".join(lines) + "\n"
    if a.out == "-":
        sys.stdout.write(text)
    else:
        Path(a.out).write_text(text)
    oks = sum(" => Ok" in x for x in lines)
    print(f"{len(lines)} vectors ({oks} Ok, {len(lines) - oks} Err), seed {a.seed}", file=sys.stderr)


if __name__ == "__main__":
    main()
