# Reference values for tests/diagnostics.rs, computed with ArviZ.
# The draws come from a xorshift64 generator that the Rust test reimplements bit for bit.
import arviz as az
import numpy as np

MASK = (1 << 64) - 1

def xorshift_uniforms(seed, count):
    state = seed
    out = []
    for _ in range(count):
        state ^= (state << 13) & MASK
        state ^= state >> 7
        state ^= (state << 17) & MASK
        out.append((state >> 11) / float(1 << 53))
    return out

def ar_chains(num_chains, num_draws, rho, offset, rounding):
    chains = []
    for c in range(num_chains):
        u = xorshift_uniforms(0x9E3779B97F4A7C15 + c, num_draws)
        y, chain = 0.0, []
        for i in range(num_draws):
            y = rho * y + (u[i] - 0.5) + offset * c
            chain.append(round(y * 4.0) / 4.0 if rounding else y)
        chains.append(chain)
    return np.array(chains)

for name, ary in [("smooth", ar_chains(4, 301, 0.6, 0.01, False)), ("ties", ar_chains(4, 300, 0.3, 0.1, True))]:
    print(name, ary[0, :3], ary.sum())
    print(f"  rhat      = {float(az.rhat(ary, method='rank'))!r}")
    print(f"  ess_bulk  = {float(az.ess(ary, method='bulk'))!r}")
    print(f"  ess_tail  = {float(az.ess(ary, method='tail'))!r}")
    print(f"  ess_mean  = {float(az.ess(ary, method='mean'))!r}")
    print(f"  mcse_mean = {float(az.mcse(ary, method='mean'))!r}")
    print(f"  mcse_q05  = {float(az.mcse(ary, method='quantile', prob=0.05))!r}")
