using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using Mote.Kernels.Simd;
using Mote.Runtime;
using Mote.Runtime.Kernels;

namespace Mote.Cli
{
    /// <summary>
    /// <c>mote bench --kernels reference|simd|auto</c> and <c>--per-op</c>: which kernel set the
    /// interpreter uses, the reference median for the ratio, and the per-operator timing table.
    /// </summary>
    static class BenchKernels
    {
        public static string Parse(string value)
        {
            string k = value ?? "reference";
            if (k != "reference" && k != "simd" && k != "auto")
                throw new InputException($"--kernels: '{value}' is not one of reference, simd, auto");
            if (k == "simd" && SimdKernelSet.ActivePath == "reference")
                throw new InputException("--kernels simd: no SIMD path on this machine/process (Vector128 not accelerated); use --kernels auto or reference");
            if (k == "auto") k = SimdKernelSet.ActivePath == "reference" ? "reference" : "simd";
            return k;
        }

        public static KernelSet Create(string kernels) => kernels == "simd" ? new SimdKernelSet() : null;

        public static string Describe(string kernels) => kernels == "simd" ? "simd-" + SimdKernelSet.Description : "reference";

        /// <summary>Median Invoke time with the reference kernels (the interpreter's kernel set is restored).</summary>
        public static double ReferenceMedian(Interpreter it, WarmUp warmup, int iterations)
        {
            KernelSet saved = it.Kernels;
            it.Kernels = null;
            try
            {
                warmup.Run(it);
                var times = new double[iterations];
                for (int i = 0; i < iterations; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    it.Invoke();
                    times[i] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
                }
                Array.Sort(times);
                return times[times.Length / 2];
            }
            finally { it.Kernels = saved; }
        }

        /// <summary>
        /// Warm-up before timing: at least <c>--warmup</c> invocations and at least <c>--warmup-ms</c> of
        /// them. Counting alone is not enough on .NET: tiered compilation runs the first ~30 calls of a
        /// method unoptimized and swaps in optimized code only after a quiet 100 ms, so ten warm-up
        /// invocations timed tier-0 code (seanet_add0 measured 20 µs that way, 8 µs warmed).
        /// </summary>
        public sealed class WarmUp
        {
            readonly int minIterations, minMs;
            public double ElapsedMs { get; private set; }

            public WarmUp(int minIterations, int minMs) { this.minIterations = minIterations; this.minMs = minMs; }

            /// <summary>Invokes until both minimums are met; returns the number of invocations.</summary>
            public int Run(Interpreter it)
            {
                long start = Stopwatch.GetTimestamp(), limit = (long)(minMs / 1000.0 * Stopwatch.Frequency);
                int n = 0;
                while (n < minIterations || Stopwatch.GetTimestamp() - start < limit)
                {
                    it.Invoke();
                    n++;
                }
                ElapsedMs = (Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency;
                return n;
            }
        }

        public struct OpTime { public int Index; public string Op; public double MedianUs; }

        /// <summary>Median time of every operator over <paramref name="iterations"/> in-order invocations of the whole model.</summary>
        public static OpTime[] PerOp(Interpreter it, WarmUp warmup, int iterations)
        {
            int n = it.Model.OperatorCount;
            var samples = new double[n, iterations];
            warmup.Run(it);
            for (int k = 0; k < iterations; k++)
                for (int op = 0; op < n; op++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    it.InvokeOperator(op);
                    samples[op, k] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
                }
            var result = new OpTime[n];
            var row = new double[iterations];
            for (int op = 0; op < n; op++)
            {
                for (int k = 0; k < iterations; k++) row[k] = samples[op, k];
                Array.Sort(row);
                result[op] = new OpTime { Index = op, Op = it.Model.GetOperator(op).Name, MedianUs = row[iterations / 2] };
            }
            return result;
        }

        public static void WriteTable(TextWriter o, OpTime[] ops)
        {
            double total = 0;
            foreach (var t in ops) total += t.MedianUs;
            int width = 20;
            foreach (var t in ops) width = Math.Max(width, t.Op.Length);
            o.WriteLine("  op   " + "operator".PadRight(width) + "  median us   share");
            foreach (var t in ops)
                o.WriteLine($"  {t.Index,3}  {t.Op.PadRight(width)} {t.MedianUs,10:F1}  {(total > 0 ? 100 * t.MedianUs / total : 0),5:F1}%");
            o.WriteLine($"  sum of per-op medians {total:F1} us");
        }

        public static void WriteJson(Utf8JsonWriter w, OpTime[] ops)
        {
            w.WriteStartArray("per_op");
            foreach (var t in ops)
            {
                w.WriteStartObject();
                w.WriteNumber("index", t.Index);
                w.WriteString("op", t.Op);
                w.WriteNumber("median_us", Math.Round(t.MedianUs, 2));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
    }
}
