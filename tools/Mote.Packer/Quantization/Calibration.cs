using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Float;

namespace Mote.Packer.Quantization
{
    /// <summary>How an activation tensor's real range is chosen from its calibration statistics.</summary>
    public enum RangeMethod
    {
        /// <summary>The observed minimum and maximum.</summary>
        MinMax,
        /// <summary>The given lower and upper percentiles (clips rare outliers).</summary>
        Percentile,
        /// <summary>The range that minimizes the expected squared quantization error over the histogram.</summary>
        Mse,
        /// <summary>Per tensor, the one of the three that gives the best end-to-end int8 output (decided by the quantizer).</summary>
        Auto,
    }

    /// <summary>A real range and the int8 scale/zero point it gives (TFLite's asymmetric int8 convention).</summary>
    public readonly record struct QuantRange(float Min, float Max)
    {
        /// <summary>
        /// Scale and zero point of an asymmetric int8 tensor covering [Min, Max] widened to include 0
        /// (0 must be exact: padding and ReLU rely on it): scale = (max − min) / 255,
        /// zero point = round(−128 − min / scale) clamped to [−128, 127].
        /// </summary>
        public (float scale, int zeroPoint) Int8Params()
        {
            double lo = Math.Min(Min, 0.0), hi = Math.Max(Max, 0.0);
            if (hi - lo < 1e-9) hi = lo + 1e-9 * 255;
            double scale = (hi - lo) / 255.0;
            double zp = -128.0 - lo / scale;
            int z = (int)Math.Clamp(Math.Round(zp, MidpointRounding.AwayFromZero), -128, 127);
            return ((float)scale, z);
        }

        /// <summary>
        /// Scale of a symmetric int16 tensor (zero point 0, TFLite's 16x8 activations) covering
        /// [Min, Max]: max(|Min|, |Max|) / 32767.
        /// </summary>
        public (float scale, int zeroPoint) Int16Params()
        {
            double m = Math.Max(Math.Abs((double)Min), Math.Abs((double)Max));
            if (m < 1e-9) m = 1e-9 * 32767;
            return ((float)(m / 32767.0), 0);
        }

        public QuantRange Union(QuantRange o) => new(Math.Min(Min, o.Min), Math.Max(Max, o.Max));

        public override string ToString() => $"[{Min:G5}, {Max:G5}]";
    }

    /// <summary>Calibration statistics of one tensor: extremes, moments and a histogram over [Min, Max].</summary>
    public sealed class TensorStats
    {
        public const int Bins = 2048;
        public float Min = float.PositiveInfinity, Max = float.NegativeInfinity;
        public long Count;
        public double Sum, SumSquares;
        /// <summary>Counts of <see cref="Bins"/> equal bins spanning [Min, Max] (filled in the second pass).</summary>
        public readonly long[] Histogram = new long[Bins];
        public bool HasHistogram;
        /// <summary>Sum of each channel (innermost dimension) and the number of rows summed, for bias correction.</summary>
        public double[] ChannelSums;
        public long Rows;

        /// <summary>Mean of every channel (innermost dimension) over the calibration data.</summary>
        public double[] ChannelMeans => ChannelSums?.Select(x => x / Math.Max(1, Rows)).ToArray();

        public void ObserveChannels(float[] v, int channels)
        {
            ChannelSums ??= new double[channels];
            for (int i = 0; i < v.Length; i++) ChannelSums[i % channels] += v[i];
            Rows += v.Length / channels;
        }

        public void ObserveRange(float[] v)
        {
            foreach (float x in v)
            {
                if (float.IsNaN(x)) continue;
                if (x < Min) Min = x;
                if (x > Max) Max = x;
                Sum += x;
                SumSquares += (double)x * x;
            }
            Count += v.Length;
        }

        public void ObserveHistogram(float[] v)
        {
            HasHistogram = true;
            double width = (Max - Min) / Bins;
            foreach (float x in v)
            {
                if (float.IsNaN(x)) continue;
                int b = width > 0 ? (int)((x - Min) / width) : 0;
                Histogram[Math.Clamp(b, 0, Bins - 1)]++;
            }
        }

        public double BinCenter(int b) => Min + (b + 0.5) * (Max - Min) / Bins;

        public QuantRange MinMaxRange() => new(Min, Max);

        /// <summary>The [100 − p, p] percentile range (p in (50, 100]), interpolated within bins.</summary>
        public QuantRange PercentileRange(double p)
        {
            if (!HasHistogram || Max <= Min) return MinMaxRange();
            long total = 0;
            foreach (long c in Histogram) total += c;
            double lowRank = total * (100 - p) / 100, highRank = total * p / 100;
            // A side that never crosses zero keeps its exact extreme (e.g. 0 after ReLU).
            return new(Min >= 0 ? Min : (float)Quantile(lowRank), Max <= 0 ? Max : (float)Quantile(highRank));
        }

        double Quantile(double rank)
        {
            double width = (double)(Max - Min) / Bins;
            long seen = 0;
            for (int b = 0; b < Bins; b++)
            {
                if (seen + Histogram[b] >= rank && Histogram[b] > 0)
                    return Min + (b + (rank - seen) / Histogram[b]) * width;
                seen += Histogram[b];
            }
            return Max;
        }

        /// <summary>
        /// Expected squared error of quantizing the histogram with range <paramref name="r"/>: values
        /// inside the int8 grid contribute rounding noise Δ²/12, values outside their clipping distance².
        /// </summary>
        public double QuantizationError(QuantRange r)
        {
            var (scale, zp) = r.Int8Params();
            double lo = (-128 - zp) * (double)scale, hi = (127 - zp) * (double)scale;
            double noise = (double)scale * scale / 12;
            double err = 0;
            for (int b = 0; b < Bins; b++)
            {
                long c = Histogram[b];
                if (c == 0) continue;
                double x = BinCenter(b);
                err += x < lo ? c * (x - lo) * (x - lo) : x > hi ? c * (x - hi) * (x - hi) : c * noise;
            }
            return err;
        }

        /// <summary>
        /// The range minimizing <see cref="QuantizationError"/> among the observed range shrunk from
        /// either end in steps of 1/64 (down to 1/8 of it); a side at 0 (e.g. after ReLU) stays at 0.
        /// </summary>
        public QuantRange MseRange()
        {
            if (!HasHistogram || Max <= Min) return MinMaxRange();
            var best = MinMaxRange();
            double bestErr = QuantizationError(best);
            int steps = 56;
            bool lowFixed = Min >= 0, highFixed = Max <= 0;
            for (int i = 0; i <= (lowFixed ? 0 : steps); i++)
                for (int j = 0; j <= (highFixed ? 0 : steps); j++)
                {
                    var r = new QuantRange(lowFixed ? Min : Min * (1 - i / 64f), highFixed ? Max : Max * (1 - j / 64f));
                    double e = QuantizationError(r);
                    if (e < bestErr * (1 - 1e-9)) { bestErr = e; best = r; }
                }
            return best;
        }

        public QuantRange Range(RangeMethod m, double percentile) => m switch
        {
            RangeMethod.Percentile => PercentileRange(percentile),
            RangeMethod.Mse => MseRange(),
            _ => MinMaxRange(),
        };
    }

    /// <summary>Reports progress of a long step (calibration): done of total.</summary>
    public delegate void Progress(string what, int done, int total);

    /// <summary>
    /// Runs the float graph over calibration samples and gathers <see cref="TensorStats"/> for every
    /// activation tensor: one pass for the extremes, a second for the histograms.
    /// </summary>
    public static class Calibrator
    {
        public static TensorStats[] Collect(FloatGraph graph, IReadOnlyList<float[][]> samples, Progress progress = null)
        {
            if (samples.Count == 0) throw new PackException($"{graph.SourceName}: calibration needs at least one sample");
            var interp = new FloatInterpreter(graph);
            var stats = new TensorStats[graph.Tensors.Count];
            foreach (var t in graph.Tensors)
                if (!t.IsConstant) stats[t.Index] = new TensorStats();
            int total = 2 * samples.Count;
            for (int pass = 0; pass < 2; pass++)
                for (int s = 0; s < samples.Count; s++)
                {
                    interp.Run(samples[s]);
                    foreach (var t in graph.Tensors)
                    {
                        if (t.IsConstant) continue;
                        var v = interp.Values[t.Index];
                        if (pass == 0)
                        {
                            stats[t.Index].ObserveRange(v);
                            stats[t.Index].ObserveChannels(v, t.Shape.Length == 0 ? 1 : t.Shape[^1]);
                        }
                        else stats[t.Index].ObserveHistogram(v);
                    }
                    progress?.Invoke("calibrating", pass * samples.Count + s + 1, total);
                }
            return stats;
        }
    }
}
