using System;
using System.Collections.Generic;
using Mote.Packer.Graph;
using Mote.Runtime.Format;

namespace Mote.Packer.Planning
{
    /// <summary>
    /// Offline arena plan (the device carries no planner; offsets go into the blob).
    ///
    /// Algorithm (greedy by size, first fit):
    /// 1. Lifetime of every activation tensor, in operator steps: from the operator that writes it
    ///    (model inputs: step -1) to the last operator that reads it (model outputs: the last step + 1).
    /// 2. Sort by size, largest first (ties: earlier first use, then index, so the plan is deterministic).
    /// 3. Place each at the lowest 16-aligned offset where it overlaps no already-placed tensor
    ///    whose lifetime intersects its own.
    /// Arena size = the highest end of any placed buffer, rounded up to 16.
    /// Invariant (tested): two tensors live at the same step never share a byte.
    /// An operator's inputs and outputs are live at the same step, so no kernel writes over its input.
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
            var list = new List<Lifetime>();
            for (int t = 0; t < n; t++)
                if (first[t] != int.MaxValue) list.Add(new Lifetime(t, first[t], last[t], g.Tensors[t].Bytes));
            return list;
        }

        static int Align(long v) => checked((int)((v + BlobFormat.Alignment - 1) / BlobFormat.Alignment * BlobFormat.Alignment));

        /// <summary>Assigns <see cref="PackTensor.ArenaOffset"/> to every activation and sets <see cref="PackGraph.ArenaBytes"/>.</summary>
        public static int Plan(PackGraph g)
        {
            var lives = Lifetimes(g);
            var order = new List<Lifetime>(lives);
            order.Sort((a, b) => a.Bytes != b.Bytes ? b.Bytes.CompareTo(a.Bytes)
                : a.First != b.First ? a.First.CompareTo(b.First) : a.Tensor.CompareTo(b.Tensor));
            var placed = new List<(Lifetime life, int offset)>();
            long arena = 0;
            foreach (var life in order)
            {
                // Conflicting placed buffers, by offset; walk the gaps for the first fit.
                var conflicts = placed.FindAll(p => p.life.First <= life.Last && life.First <= p.life.Last);
                conflicts.Sort((a, b) => a.offset.CompareTo(b.offset));
                long offset = 0;
                foreach (var c in conflicts)
                {
                    if (offset + life.Bytes <= c.offset) break;
                    offset = Math.Max(offset, Align(c.offset + (long)c.life.Bytes));
                }
                placed.Add((life, checked((int)offset)));
                g.Tensors[life.Tensor].ArenaOffset = (int)offset;
                arena = Math.Max(arena, offset + life.Bytes);
            }
            g.ArenaBytes = Align(arena);
            return g.ArenaBytes;
        }

        /// <summary>
        /// Lower bound of any plan: the largest sum of sizes of tensors live at one step
        /// (ignoring alignment and fragmentation).
        /// </summary>
        public static long LowerBound(PackGraph g)
        {
            var lives = Lifetimes(g);
            long best = 0;
            for (int step = -1; step <= g.Operators.Count; step++)
            {
                long sum = 0;
                foreach (var l in lives) if (l.First <= step && step <= l.Last) sum += l.Bytes;
                best = Math.Max(best, sum);
            }
            return best;
        }
    }
}
