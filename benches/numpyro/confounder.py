"""NumPyro's steps per second on the SVI issue's confounder network, for a same-machine
comparison with `target/release/examples/confounder --n N --json PATH` (`steps_per_s`).

The model, data and settings are the issue's: AutoNormal, Adam(0.01), one particle,
float32 on the CPU; compile time excluded. Two timings: `update` jitted and called once per
step from Python (dispatch included, as a user's loop runs), and `svi.run` without a
progress bar (the whole loop compiled into one XLA program).

    python3 -m venv /tmp/npy && /tmp/npy/bin/pip install numpyro==0.22.0 jax
    /tmp/npy/bin/python benches/numpyro/confounder.py 10000 2000
"""

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer import SVI, Trace_ELBO
from numpyro.infer.autoguide import AutoNormal
from numpyro.optim import Adam


def model(c, x, y=None):
    beta_cz = numpyro.sample("beta_cz", dist.Normal(0.0, 1.0))
    beta_cy = numpyro.sample("beta_cy", dist.Normal(0.0, 1.0))
    beta_xz = numpyro.sample("beta_xz", dist.Normal(0.0, 1.0))
    beta_zy = numpyro.sample("beta_zy", dist.Normal(0.0, 1.0))
    beta_z = numpyro.sample("beta_z", dist.Normal(0.0, 1.0))
    beta_y = numpyro.sample("beta_y", dist.Normal(0.0, 1.0))
    sigma = numpyro.sample("sigma", dist.Exponential(1.0))
    with numpyro.plate("units", x.shape[0]):
        c = numpyro.sample("c", dist.Exponential(1.0), obs=c)
        z = numpyro.sample("z", dist.LogNormal(beta_z + beta_cz * c + beta_xz * x, sigma))
        logits = beta_y + beta_cy * c + beta_zy * z
        numpyro.sample("y", dist.Bernoulli(logits=logits), obs=y)


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    c = rng.exponential(1.0, n)
    x = rng.poisson(1.0, n).astype(float)
    z = np.exp(rng.normal(size=n) - 1.0 + 0.5 * c - 1.5 * x)
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-(-2.0 + 5.0 * c + 0.1 * z)))).astype(float)
    return [jnp.asarray(v, dtype=jnp.float32) for v in (c, x, y)]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    c, x, y = data(n)
    svi = SVI(model, AutoNormal(model), Adam(0.01), Trace_ELBO())
    state = svi.init(jax.random.PRNGKey(0), c, x, y)
    update = jax.jit(svi.update)
    state, loss = update(state, c, x, y)  # compile
    loss.block_until_ready()
    start = time.perf_counter()
    for _ in range(steps):
        state, loss = update(state, c, x, y)
    loss.block_until_ready()
    per_step = steps / (time.perf_counter() - start)
    # The loop's length is part of the compiled program: compile with the same length.
    svi.run(jax.random.PRNGKey(1), steps, c, x, y, progress_bar=False)
    start = time.perf_counter()
    result = svi.run(jax.random.PRNGKey(1), steps, c, x, y, progress_bar=False)
    result.losses.block_until_ready()
    compiled = steps / (time.perf_counter() - start)
    print(f"numpyro {numpyro.__version__} jax {jax.__version__} N={n}: "
          f"{per_step:.0f} steps/s (jitted update per step), "
          f"{compiled:.0f} steps/s (svi.run, one compiled loop)")


if __name__ == "__main__":
    main()
