"""Generate a realistic synthetic systems paper (~87 KB by default) for benchmarks and tests.

Deterministic for a given seed and size: sections with prose full of citations, references,
inline math, footnotes, emphasis, accents, and the constructs the scanner must skip
(comments, display math, tables, algorithms, figures with captions, verbatim).
"""

from __future__ import annotations

import argparse
import random

_SUBJECTS = ["TierKV", "the scheduler", "our runtime", "the allocator", "each GPU worker",
             "the prefetcher", "the draft model", "the verifier", "the KV cache manager"]
_VERBS = ["reduces", "hides", "amortizes", "overlaps", "bounds", "halves", "removes"]
_OBJECTS = ["the PCIe transfer latency", "tail latency at p99", "fragmentation of KV blocks",
            "the pipeline bubble", "the cost of re-quantization", "memory pressure under bursts"]
_TAILS = [
    r"by 1.{d}$\times$ over vLLM~\cite{{kwon2023vllm}}",
    r"as shown in Fig.~\ref{{fig:{n}}}",
    r"when the batch size exceeds $B={b}$",
    r"(e.g., on Llama-2-70B with {g} A100 GPUs)",
    r"with at most {p}\% overhead\footnote{{Measured with Nsight Systems, i.e., end to end.}}",
    r"compared to FlexGen et al.~\cite{{sheng2023flexgen,aminabadi2022deepspeed}}",
    r"for sequences of $L={l}$ tokens",
    r"in \emph{{both}} prefill and decode phases",
    r"without touching the na\"ive baseline's kernels",
    r"using a cost model $c(x) = \alpha x + \beta$ fitted offline",
]


def _sentence(rng: random.Random) -> str:
    tail = rng.choice(_TAILS).format(d=rng.randint(1, 9), n=rng.randint(1, 9),
                                     b=rng.choice([8, 16, 32]), g=rng.choice([8, 64, 256]),
                                     p=rng.randint(2, 20), l=rng.choice([4096, 32768]))
    subject = rng.choice(_SUBJECTS)
    return f"{subject[0].upper()}{subject[1:]} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {tail}."


def _paragraph(rng: random.Random) -> str:
    lines = [_sentence(rng) for _ in range(rng.randint(3, 7))]
    if rng.random() < 0.3:
        lines.insert(1, "% TODO: tighten this claim before submission")
    return "\n".join(lines)


_FLOATS = [
    r"""\begin{figure}[t]
  \centering
  \includegraphics[width=\linewidth]{figs/overview.pdf}
  \caption{Overview of TierKV. Hot blocks stay in HBM; cold blocks move to host memory.}
  \label{fig:overview}
\end{figure}""",
    r"""\begin{table}[t]
  \caption{Throughput (tok/s) at batch size 32.}
  \begin{tabular}{lrr}
    \toprule
    System & Llama-2-7B & Llama-2-70B \\
    \midrule
    vLLM & 1,204 & 312 \\
    TierKV & 1,876 & 455 \\
    \bottomrule
  \end{tabular}
\end{table}""",
    r"""\begin{equation}
  T_{\text{step}} = \max\left(\frac{M}{B_{\text{PCIe}}}, \frac{F}{P}\right) + \epsilon
  \label{eq:step}
\end{equation}""",
    r"""\begin{algorithm}[t]
\caption{Block eviction under memory pressure.}
\begin{algorithmic}[1]
\State $S \gets$ sorted blocks by score
\For{$b \in S$} \If{$\mathrm{free} < \tau$} \State evict($b$) \EndIf \EndFor
\end{algorithmic}
\end{algorithm}""",
    r"""\begin{itemize}
  \item \textbf{Tiered placement.} Blocks move between HBM and DRAM at page granularity.
  \item \textbf{Score-aware eviction.} Scores come from accumulated attention mass.
\end{itemize}""",
    r"""\begin{verbatim}
for block in cache: if block.cold: offload(block)
\end{verbatim}""",
]
_SECTIONS = ["Introduction", "Background and Motivation", "Design", "Implementation",
             "Evaluation", "Discussion", "Related Work", "Conclusion"]


def generate(size: int = 87_000, seed: int = 7) -> str:
    """A paper of about ``size`` characters."""
    rng = random.Random(seed)
    head = (
        "\\documentclass[10pt,twocolumn]{article}\n\\usepackage{amsmath,graphicx,booktabs}\n"
        "\\newcommand{\\sys}{TierKV}\n\\begin{document}\n\\title{\\sys: Tiered KV Caches}\n"
        "\\maketitle\n\\begin{abstract}\n" + _paragraph(rng) + "\n\\end{abstract}\n"
    )
    parts = [head]
    length = len(head)
    section = 0
    while length < size - 40:
        if section % 3 == 0 or rng.random() < 0.15:
            name = _SECTIONS[section % len(_SECTIONS)]
            chunk = f"\\section{{{name}}}\\label{{sec:{section}}}\n"
            section += 1
        elif rng.random() < 0.25:
            chunk = rng.choice(_FLOATS) + "\n"
        else:
            chunk = _paragraph(rng).replace("TierKV", "\\sys{}", 1) + "\n\n"
            if rng.random() < 0.1:
                chunk = f"\\subsection{{Part {section}.{rng.randint(1, 5)}}}\n" + chunk
        parts.append(chunk)
        length += len(chunk)
    parts.append("\\end{document}\n")
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=87_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(generate(args.size, args.seed), end="")


if __name__ == "__main__":
    main()
