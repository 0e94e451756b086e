using System;
using System.Collections.Generic;
using Mote.Packer.Graph;
using Mote.Runtime.Format;

namespace Mote.Packer.Planning
{
    /// <summary>
    /// Offline arena plan (the device carries no planner; offsets go into the blob). docs/memory.md, "Planner".
    ///
    /// 1. Lifetime of every activation tensor in operator steps: from the operator that writes it (model inputs:
    ///    step -1) to the last operator that reads it (model outputs: step = operator count). An operator's inputs
    ///    and output are live at the same step.
    /// 2. In-place reuse (<see cref="InPlaceRules"/>): an operator's output may take its dying input's bytes; the
    ///    two (and chains of such pairs) become one buffer whose lifetime is the union. Kernel scratch
    ///    (<see cref="ScratchBytes"/>) is a buffer live only at its operator's step.
    /// 3. Every strategy — an order (<see cref="PlanOrder"/>) × a fit (<see cref="PlanFit"/>), with and without
    ///    in-place reuse — places the buffers one by one at a 16-aligned offset where it overlaps no placed buffer
    ///    whose lifetime intersects its own. The smallest arena wins; ties go to the earliest strategy tried.
    /// 4. A deterministic improvement search perturbs the winner's order (swaps and moves, fixed seed) and keeps
    ///    a placement whenever the arena does not grow; it stops early at the aligned lower bound, and its
    ///    iteration count shrinks on large graphs (a fixed work budget, not a clock, so plans are reproducible).
    /// Invariant (tested): two buffers live at the same step never share a byte, except an in-place pair.
    /// </summary>
    public static class ArenaPlanner
    {
        public sealed record Lifetime(int Tensor, int First, int Last, int Bytes);

        public static List<Lifetime> Lifetimes(PackGraph g)
        {
            int n = g.Tensors.Count;
            var first = new int[n];
            var last = new int[n];
            Array.Fill(first, int.MaxValue);
            Array.Fill(last, int.MinValue);
            void Touch(int t, int step)
            {
                if (t < 0 || g.Tensors[t].IsConstant) return;
                first[t] = Math.Min(first[t], step);
                last[t] = Math.Max(last[t], step);
            }
            foreach (int t in g.Inputs) Touch(t, -1);
            for (int i = 0; i < g.Operators.Count; i++)
            {
                foreach (int t in g.Operators[i].Inputs) Touch(t, i);
                foreach (int t in g.Operators[i].Outputs) Touch(t, i);
            }
            foreach (int t in g.Outputs) Touch(t, g.Operators.Count);
            // Variable (state) tensors keep their bytes from one invocation to the next: live for the whole program.
            for (int t = 0; t < n; t++)
                if (g.Tensors[t].IsVariable && !g.Tensors[t].IsConstant) { first[t] = -1; last[t] = g.Operators.Count; }
            var list = new List<Lifetime>();
            for (int t = 0; t < n; t++)
                if (first[t] != int.MaxValue) list.Add(new Lifetime(t, first[t], last[t], g.Tensors[t].Bytes));
            return list;
        }

        /// <summary>
        /// Scratch bytes operator <paramref name="op"/>'s kernel needs in the arena for <paramref name="kernelTier"/>,
        /// live only while the operator runs. The reference kernels need none (they keep their accumulators in
        /// locals), so this is 0 for every operator today. A tier whose kernels need scratch (e.g. an im2col
        /// buffer for a SIMD convolution, or CMSIS-NN's per-call buffers) returns its size here; the planner then
        /// reserves it at the operator's step. The blob has no field for a scratch offset yet: it would go in the
        /// operator record's reserved bytes 24..31 (offset and size, a minor-version addition; docs/memory.md), and
        /// <see cref="Packer.Finish"/> refuses a plan with scratch until it does.
        /// </summary>
        public static int ScratchBytes(PackOperator op, string kernelTier) => 0;

        /// <summary>Search budget in buffer pairs visited (tens of milliseconds on a desktop core).</summary>
        const long SearchWork = 5_000_000;

        static int Align(long v) => checked((int)((v + BlobFormat.Alignment - 1) / BlobFormat.Alignment * BlobFormat.Alignment));

        /// <summary>Plans with the default options (reference kernels, every strategy, in-place reuse) and applies the plan.</summary>
        public static int Plan(PackGraph g) => Plan(g, new PlanOptions());

        /// <summary>Assigns <see cref="PackTensor.ArenaOffset"/> to every activation, sets <see cref="PackGraph.ArenaBytes"/> and <see cref="PackGraph.Plan"/>.</summary>
        public static int Plan(PackGraph g, PlanOptions options)
        {
            var plan = Evaluate(g, options);
            foreach (var t in g.Tensors)
                if (!t.IsConstant) t.ArenaOffset = plan.TensorOffsets[t.Index];
            g.ArenaBytes = plan.ArenaBytes;
            g.Plan = plan;
            return plan.ArenaBytes;
        }

        /// <summary>
        /// Lower bound of any plan under the default in-place rules (reference kernels): see <see cref="ArenaPlan.LowerBound"/>.
        /// </summary>
        public static long LowerBound(PackGraph g) => LowerBound(g, new PlanOptions());

        public static long LowerBound(PackGraph g, PlanOptions options)
        {
            var (buffers, _, scratch) = Build(g, options, options.InPlace);
            return Bounds(g, buffers, scratch).raw;
        }

        /// <summary>Plans without touching the graph.</summary>
        public static ArenaPlan Evaluate(PackGraph g, PlanOptions options)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            var families = new List<(bool inPlace, List<PlanBuffer> buffers, List<PlanAlias> aliases, int[] scratch)>();
            if (options.InPlace)
            {
                var (b, a, s) = Build(g, options, true);
                families.Add((true, b, a, s));
                if (a.Count > 0)
                {
                    var (b2, a2, s2) = Build(g, options, false);
                    families.Add((false, b2, a2, s2));
                }
            }
            else
            {
                var (b, a, s) = Build(g, options, false);
                families.Add((false, b, a, s));
            }
            var (lower, alignedLower) = Bounds(g, families[0].buffers, families[0].scratch);

            var candidates = new List<(string, int)>();
            int bestArena = int.MaxValue, bestFamily = -1;
            int[] bestOrder = null, bestOffsets = null;
            PlanFit bestFit = PlanFit.First;
            string bestName = null;
            for (int f = 0; f < families.Count; f++)
            {
                var bufs = families[f].buffers;
                int[][] conflicts = null; // only the conflict order needs the lists
                foreach (var order in options.Orders) if (order == PlanOrder.Conflict) conflicts = Conflicts(bufs);
                var placer = new Placer(bufs);
                string alias = families[f].inPlace ? (families[f].aliases.Count > 0 ? ", in place" : "") : ", no in-place";
                foreach (var order in options.Orders)
                {
                    int[] ord = Order(bufs, conflicts, order, g.Operators.Count);
                    foreach (var fit in options.Fits)
                    {
                        var offsets = new int[bufs.Count];
                        int arena = placer.Place(ord, fit, offsets);
                        string name = Name(order) + ", " + (fit == PlanFit.First ? "first fit" : "best fit") + alias;
                        candidates.Add((name, arena));
                        if (arena < bestArena)
                        {
                            bestArena = arena; bestFamily = f; bestOrder = ord; bestOffsets = offsets; bestFit = fit; bestName = name;
                        }
                    }
                }
            }
            if (bestFamily < 0) throw new ArgumentException("no strategy to plan with (Orders or Fits empty)");

            if (options.SearchIterations > 0 && bestArena > alignedLower && families[bestFamily].buffers.Count > 2)
            {
                var bufs = families[bestFamily].buffers;
                var placer = new Placer(bufs);
                var rng = new SplitMix(0x4D4F5445UL ^ (ulong)bufs.Count);
                var current = (int[])bestOrder.Clone();
                int currentArena = bestArena;
                var trial = new int[current.Length];
                var offsets = new int[bufs.Count];
                bool improved = false;
                // Bound the work on large graphs: a placement visits about n^2/2 buffer pairs.
                long work = (long)bufs.Count * bufs.Count / 2 + 1;
                int iterations = (int)Math.Min(options.SearchIterations, Math.Max(20, SearchWork / work));
                for (int it = 0; it < iterations; it++)
                {
                    Array.Copy(current, trial, current.Length);
                    int i = rng.Next(trial.Length), j = rng.Next(trial.Length - 1);
                    if (j >= i) j++;
                    if (rng.Next(2) == 0)
                        (trial[i], trial[j]) = (trial[j], trial[i]);
                    else
                    {
                        // Move the element at j to position i.
                        int v = trial[j];
                        if (j > i) Array.Copy(trial, i, trial, i + 1, j - i);
                        else Array.Copy(trial, j + 1, trial, j, i - j);
                        trial[i] = v;
                    }
                    int arena = placer.Place(trial, bestFit, offsets);
                    if (arena <= currentArena)
                    {
                        Array.Copy(trial, current, trial.Length);
                        currentArena = arena;
                        if (arena < bestArena)
                        {
                            bestArena = arena;
                            bestOffsets = (int[])offsets.Clone();
                            improved = true;
                            if (arena <= alignedLower) break;
                        }
                    }
                }
                string searchName = "search from " + bestName;
                candidates.Add((searchName, bestArena));
                if (improved) bestName = searchName;
            }

            var winner = families[bestFamily];
            var tensorOffsets = new int[g.Tensors.Count];
            Array.Fill(tensorOffsets, -1);
            var scratchOffsets = new int[g.Operators.Count];
            Array.Fill(scratchOffsets, -1);
            var placed = new List<PlanBuffer>();
            for (int k = 0; k < winner.buffers.Count; k++)
            {
                var b = winner.buffers[k];
                var copy = new PlanBuffer { Id = b.Id, Tensors = b.Tensors, ScratchOp = b.ScratchOp, First = b.First, Last = b.Last, Bytes = b.Bytes, Offset = bestOffsets[k] };
                placed.Add(copy);
                foreach (int t in b.Tensors) tensorOffsets[t] = copy.Offset;
                if (b.ScratchOp >= 0) scratchOffsets[b.ScratchOp] = copy.Offset;
            }
            return new ArenaPlan
            {
                ArenaBytes = bestArena,
                LowerBound = lower,
                AlignedLowerBound = alignedLower,
                Strategy = bestName,
                Aliases = winner.aliases,
                AllowedAliases = families[0].aliases,
                TensorOffsets = tensorOffsets,
                ScratchBytes = winner.scratch,
                ScratchOffsets = scratchOffsets,
                Buffers = placed,
                Candidates = candidates,
            };
        }

        static string Name(PlanOrder o) => o switch
        {
            PlanOrder.Size => "size",
            PlanOrder.Conflict => "conflict",
            PlanOrder.Pressure => "pressure",
            PlanOrder.FirstUse => "first use",
            PlanOrder.Lifetime => "lifetime",
            _ => o.ToString(),
        };

        /// <summary>Buffers of the graph: tensors grouped by in-place reuse (when allowed), then one per non-zero scratch.</summary>
        static (List<PlanBuffer> buffers, List<PlanAlias> aliases, int[] scratch) Build(PackGraph g, PlanOptions options, bool inPlace)
        {
            var lives = Lifetimes(g);
            int n = g.Tensors.Count;
            var life = new Lifetime[n];
            foreach (var l in lives) life[l.Tensor] = l;
            var aliases = inPlace ? InPlaceRules.Candidates(g, options.KernelTier, options.OverwriteModelInputs) : new List<PlanAlias>();

            // Union the pairs: the output joins its input's group (chains: x -> reshape -> relu ...).
            var parent = new int[n];
            for (int t = 0; t < n; t++) parent[t] = t;
            int Find(int t) { while (parent[t] != t) t = parent[t] = parent[parent[t]]; return t; }
            foreach (var a in aliases) parent[Find(a.Output)] = Find(a.Input);

            var groupOf = new Dictionary<int, PlanBuffer>();
            var buffers = new List<PlanBuffer>();
            var members = new List<List<int>>();
            foreach (var l in lives) // tensor order: deterministic ids
            {
                int root = Find(l.Tensor);
                if (!groupOf.TryGetValue(root, out var b))
                {
                    b = new PlanBuffer { Id = buffers.Count, First = l.First, Last = l.Last, Bytes = l.Bytes };
                    groupOf[root] = b;
                    buffers.Add(b);
                    members.Add(new List<int>());
                }
                b.First = Math.Min(b.First, l.First);
                b.Last = Math.Max(b.Last, l.Last);
                b.Bytes = Math.Max(b.Bytes, l.Bytes);
                members[b.Id].Add(l.Tensor);
            }
            for (int k = 0; k < buffers.Count; k++)
            {
                members[k].Sort((x, y) => life[x].First != life[y].First ? life[x].First.CompareTo(life[y].First) : x.CompareTo(y));
                buffers[k].Tensors = members[k].ToArray();
            }

            var scratch = new int[g.Operators.Count];
            for (int s = 0; s < g.Operators.Count; s++)
            {
                int bytes = options.Scratch != null ? options.Scratch(g.Operators[s]) : ScratchBytes(g.Operators[s], options.KernelTier);
                if (bytes < 0) throw new ArgumentException($"operator {s}: negative scratch size {bytes}");
                scratch[s] = bytes;
                if (bytes > 0) buffers.Add(new PlanBuffer { Id = buffers.Count, ScratchOp = s, First = s, Last = s, Bytes = bytes });
            }
            return (buffers, aliases, scratch);
        }

        /// <summary>Raw and 16-aligned lower bounds: max over steps of the bytes live there (an in-place pair counts once).</summary>
        static (long raw, long aligned) Bounds(PackGraph g, List<PlanBuffer> buffers, int[] scratch)
        {
            var lives = Lifetimes(g);
            var life = new Lifetime[g.Tensors.Count];
            foreach (var l in lives) life[l.Tensor] = l;
            int steps = g.Operators.Count + 2; // -1 .. operator count
            var raw = new long[steps];
            var aligned = new long[steps];
            foreach (var b in buffers)
            {
                for (int s = b.First; s <= b.Last; s++)
                {
                    long bytes = 0;
                    if (b.ScratchOp >= 0) bytes = b.Bytes;
                    else
                        foreach (int t in b.Tensors)
                            if (life[t].First <= s && s <= life[t].Last) bytes = Math.Max(bytes, life[t].Bytes);
                    raw[s + 1] += bytes;
                    aligned[s + 1] += Align(bytes);
                }
            }
            long r = 0, a = 0;
            for (int s = 0; s < steps; s++) { r = Math.Max(r, raw[s]); a = Math.Max(a, aligned[s]); }
            return (r, a);
        }

        /// <summary>Per buffer, the buffers whose lifetimes intersect its own.</summary>
        static int[][] Conflicts(List<PlanBuffer> bufs)
        {
            var result = new int[bufs.Count][];
            var tmp = new List<int>();
            for (int i = 0; i < bufs.Count; i++)
            {
                tmp.Clear();
                for (int j = 0; j < bufs.Count; j++)
                    if (j != i && bufs[i].First <= bufs[j].Last && bufs[j].First <= bufs[i].Last) tmp.Add(j);
                result[i] = tmp.ToArray();
            }
            return result;
        }

        static int[] Order(List<PlanBuffer> bufs, int[][] conflicts, PlanOrder order, int operators)
        {
            int n = bufs.Count;
            var key = new long[n];
            switch (order)
            {
                case PlanOrder.Conflict:
                    for (int i = 0; i < n; i++)
                    {
                        long sum = 0;
                        foreach (int j in conflicts[i]) sum += bufs[j].Bytes;
                        key[i] = sum;
                    }
                    break;
                case PlanOrder.Pressure:
                    var live = new long[operators + 2];
                    foreach (var b in bufs) for (int s = b.First; s <= b.Last; s++) live[s + 1] += b.Bytes;
                    for (int i = 0; i < n; i++)
                        for (int s = bufs[i].First; s <= bufs[i].Last; s++) key[i] = Math.Max(key[i], live[s + 1]);
                    break;
                case PlanOrder.FirstUse:
                    for (int i = 0; i < n; i++) key[i] = -bufs[i].First;
                    break;
                case PlanOrder.Lifetime:
                    for (int i = 0; i < n; i++) key[i] = bufs[i].Last - bufs[i].First;
                    break;
                default:
                    for (int i = 0; i < n; i++) key[i] = bufs[i].Bytes;
                    break;
            }
            var idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            // Key descending, then larger, then earlier first use, then id: a total order, so the plan is deterministic.
            Array.Sort(idx, (a, b) =>
                key[a] != key[b] ? key[b].CompareTo(key[a])
                : bufs[a].Bytes != bufs[b].Bytes ? bufs[b].Bytes.CompareTo(bufs[a].Bytes)
                : bufs[a].First != bufs[b].First ? bufs[a].First.CompareTo(bufs[b].First)
                : a.CompareTo(b));
            return idx;
        }

        /// <summary>
        /// Places buffers one by one: each goes to the lowest (first fit) or tightest (best fit) free range among the
        /// placed buffers whose lifetimes intersect its own, walked in offset order; the top when no range holds it.
        /// </summary>
        sealed class Placer
        {
            readonly int[] first, last, bytes;
            readonly int[] sorted; // placed buffers by offset

            public Placer(List<PlanBuffer> bufs)
            {
                int n = bufs.Count;
                first = new int[n]; last = new int[n]; bytes = new int[n]; sorted = new int[n];
                for (int i = 0; i < n; i++) { first[i] = bufs[i].First; last[i] = bufs[i].Last; bytes[i] = bufs[i].Bytes; }
            }

            /// <summary>Places the buffers in <paramref name="order"/> into <paramref name="offsets"/>; returns the arena (multiple of 16).</summary>
            public int Place(int[] order, PlanFit fit, int[] offsets)
            {
                int count = 0;
                long arena = 0;
                foreach (int b in order)
                {
                    long size = bytes[b], cursor = 0, chosen = -1, chosenGap = long.MaxValue;
                    int f = first[b], l = last[b];
                    for (int k = 0; k < count; k++)
                    {
                        int c = sorted[k];
                        if (first[c] > l || last[c] < f || bytes[c] == 0) continue;
                        long start = offsets[c];
                        if (start >= cursor + size)
                        {
                            if (fit == PlanFit.First) { chosen = cursor; break; }
                            long gap = start - cursor;
                            if (gap < chosenGap) { chosenGap = gap; chosen = cursor; }
                        }
                        long end = Align(start + bytes[c]);
                        if (end > cursor) cursor = end;
                    }
                    if (chosen < 0) chosen = cursor;
                    offsets[b] = checked((int)chosen);
                    int pos = count++;
                    while (pos > 0 && offsets[sorted[pos - 1]] > chosen) { sorted[pos] = sorted[pos - 1]; pos--; }
                    sorted[pos] = b;
                    arena = Math.Max(arena, chosen + size);
                }
                return Align(arena);
            }
        }

        /// <summary>SplitMix64: a small PRNG whose sequence is fixed by its seed on every platform and .NET version.</summary>
        sealed class SplitMix
        {
            ulong state;
            public SplitMix(ulong seed) { state = seed; }
            public int Next(int bound)
            {
                state += 0x9E3779B97F4A7C15UL;
                ulong z = state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                return (int)(z % (ulong)bound);
            }
        }
    }
}
