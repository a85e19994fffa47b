"""NumPyro's steps per second on doppl's CEVAE-style online-game model
(`examples/cevae/model.rs`), for a same-machine comparison with
`target/release/examples/cevae --data ../shared/data/online_game_ate.csv --json PATH`
(`steps_per_s`).

The same model and guide: a latent z per unit; guild ~ Bernoulli(a_g + b_g z); engagement
~ Bernoulli(MLP[2, 5, 1](z, guild)), tanh hidden units; won ~ Bernoulli(a_w + b_w
engagement); purchases (standardized) ~ StudentT(4, a_y + b_yz z + b_yw won, sigma_y). The
guide: an encoder MLP[4, 5, 2](guild, engagement, won, purchases) gives z's location and
softplus scale; the globals and the network's weights are mean-field normal (sigma_y
log-normal). Adam(0.01), one particle, float32 on the CPU; compile time excluded; the
jitted `update` is called once per step from Python.

    python3 -m venv /tmp/npy && /tmp/npy/bin/pip install numpyro==0.22.0 jax
    /tmp/npy/bin/python benches/numpyro/cevae.py ../shared/data/online_game_ate.csv 1000
"""

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer import SVI, Trace_ELBO
from numpyro.optim import Adam

HIDDEN = 5


def mlp(w, inputs, n_in, n_out):
    """One tanh hidden layer of HIDDEN units, identity output; w flat (weights then biases)."""
    k = 0
    w1 = w[k:k + n_in * HIDDEN].reshape(n_in, HIDDEN)
    k += n_in * HIDDEN
    b1 = w[k:k + HIDDEN]
    k += HIDDEN
    w2 = w[k:k + HIDDEN * n_out].reshape(HIDDEN, n_out)
    k += HIDDEN * n_out
    b2 = w[k:k + n_out]
    return jnp.tanh(inputs @ w1 + b1) @ w2 + b2


def size(n_in, n_out):
    return n_in * HIDDEN + HIDDEN + HIDDEN * n_out + n_out


GLOBALS = {"a_g": 2.0, "b_g": 2.0, "a_w": 3.0, "b_w": 3.0, "a_y": 1.0, "b_yz": 1.0, "b_yw": 1.0}


def model(guild, engagement, won, purchases):
    n = guild.shape[0]
    g = {k: numpyro.sample(k, dist.Normal(0.0, s)) for k, s in GLOBALS.items()}
    w_t = numpyro.sample("w_t", dist.Normal(jnp.zeros(size(2, 1)), 1.0).to_event(1))
    sigma_y = numpyro.sample("sigma_y", dist.HalfNormal(1.0))
    with numpyro.plate("units", n):
        z = numpyro.sample("z", dist.Normal(0.0, 1.0))
        numpyro.sample("guild", dist.Bernoulli(logits=g["a_g"] + g["b_g"] * z), obs=guild)
        logit = mlp(w_t, jnp.stack([z, guild], -1), 2, 1)[:, 0]
        numpyro.sample("engagement", dist.Bernoulli(logits=logit), obs=engagement)
        numpyro.sample("won", dist.Bernoulli(logits=g["a_w"] + g["b_w"] * engagement), obs=won)
        loc = g["a_y"] + g["b_yz"] * z + g["b_yw"] * won
        numpyro.sample("purchases", dist.StudentT(4.0, loc, sigma_y), obs=purchases)


def guide(guild, engagement, won, purchases):
    positive = dist.constraints.positive
    for k in GLOBALS:
        loc = numpyro.param(k + "_loc", 0.0)
        scale = numpyro.param(k + "_scale", 0.1, constraint=positive)
        numpyro.sample(k, dist.Normal(loc, scale))
    w_loc = numpyro.param("w_t_loc", 0.1 * jnp.ones(size(2, 1)))
    w_scale = numpyro.param("w_t_scale", 0.05 * jnp.ones(size(2, 1)), constraint=positive)
    numpyro.sample("w_t", dist.Normal(w_loc, w_scale).to_event(1))
    s_loc = numpyro.param("sigma_loc", -1.0)
    s_scale = numpyro.param("sigma_scale", 0.1, constraint=positive)
    numpyro.sample("sigma_y", dist.LogNormal(s_loc, s_scale))
    encoder = numpyro.param("encoder", 0.1 * jnp.ones(size(4, 2)))
    heads = mlp(encoder, jnp.stack([guild, engagement, won, purchases], -1), 4, 2)
    with numpyro.plate("units", guild.shape[0]):
        numpyro.sample("z", dist.Normal(heads[:, 0], jax.nn.softplus(heads[:, 1]) + 1e-3))


def data(path):
    table = np.genfromtxt(path, delimiter=",", names=True)
    purchases = table["Ingame_Purchases"]
    columns = (table["Guild_Membership"], table["Sidequest_Engagement"], table["Won_Items"],
               (purchases - purchases.mean()) / purchases.std())
    return [jnp.asarray(c, dtype=jnp.float32) for c in columns]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/online_game_ate.csv"
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    args = data(path)
    svi = SVI(model, guide, Adam(0.01), Trace_ELBO())
    state = svi.init(jax.random.PRNGKey(0), *args)
    update = jax.jit(svi.update)
    state, loss = update(state, *args)  # compile
    loss.block_until_ready()
    start = time.perf_counter()
    for _ in range(steps):
        state, loss = update(state, *args)
    loss.block_until_ready()
    per_step = steps / (time.perf_counter() - start)
    print(f"numpyro {numpyro.__version__} jax {jax.__version__} N={args[0].shape[0]}: "
          f"{per_step:.0f} steps/s (jitted update per step), final loss {float(loss):.1f}")


if __name__ == "__main__":
    main()
