using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Float;

namespace Mote.Packer.Quantization
{
    public sealed class QuantizeOptions
    {
        /// <summary>Range method for every calibrated activation; Auto tries all three per tensor.</summary>
        public RangeMethod Method = RangeMethod.Auto;
        /// <summary>Upper percentile for <see cref="RangeMethod.Percentile"/> (the lower one is 100 − p).</summary>
        public double Percentile = 99.99;
        /// <summary>Per-tensor method overrides by float tensor name (win over <see cref="Method"/>).</summary>
        public Dictionary<string, RangeMethod> Overrides = new();
        /// <summary>Calibration samples the Auto search scores candidates on (the first N).</summary>
        public int AutoSamples = 64;
        /// <summary>Empirical bias correction of weight rounding (see <see cref="Quantizer.Build"/>).</summary>
        public bool BiasCorrection;
        public Progress Progress;
    }

    public sealed class QuantizeResult
    {
        public FloatGraph Float;
        public TensorStats[] Stats;
        public QuantizedModel Quantized;
        public PackResult Pack;
        /// <summary>Output SQNR (dB) over the scoring samples, and how many candidates Auto tried.</summary>
        public double ScoreDb;
        public int Trials;
        public bool BiasCorrected;
    }

    /// <summary>
    /// Float graph + calibration samples → int8 blob. Calibrates every activation (min/max and a
    /// histogram), picks each tensor's range, quantizes to TFLite's int8 contract and packs. With
    /// <see cref="RangeMethod.Auto"/> the choice per tensor group is made on the real int8 runtime:
    /// starting from min-max everywhere, each group in graph order tries percentile and MSE ranges
    /// and keeps the one that raises the SQNR of the model outputs against float.
    /// </summary>
    public static class PostTrainingQuantizer
    {
        public static QuantizeResult Run(FloatGraph g, IReadOnlyList<float[][]> calibration, QuantizeOptions o, long sourceBytes)
        {
            foreach (var name in o.Overrides.Keys)
                if (!g.Tensors.Any(t => t.Name == name && !t.IsConstant))
                    throw new PackException($"{g.SourceName}: --range names tensor '{name}', which is not an activation of this model. Activations: "
                        + string.Join(", ", g.Tensors.Where(t => !t.IsConstant).Select(t => t.Name).Take(20)));
            calibration ??= Array.Empty<float[][]>();
            if (calibration.Count == 0)
            {
                var missing = Quantizer.TieGroups(g).Where(grp => !Quantizer.IsFixed(g, grp)).Select(grp => g.Tensors[grp[0]].Name).ToList();
                if (missing.Count > 0)
                    throw new PackException($"{g.SourceName}: {missing.Count} activation(s) have no fixed int8 scale ({string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", ..." : "")}); "
                        + "give representative inputs with --calibration <samples.npy|dir> so their ranges can be measured");
                var fixedAct = Quantizer.AssignActivations(g, null, _ => RangeMethod.MinMax, o.Percentile);
                var fq = Quantizer.Build(g, fixedAct);
                var fp = Packer.Finish(TfliteImporter.Import(fq.Tflite, g.SourceName), sourceBytes);
                return new QuantizeResult { Float = g, Stats = new TensorStats[g.Tensors.Count], Quantized = fq, Pack = fp, ScoreDb = double.NaN, Trials = 1 };
            }
            var stats = Calibrator.Collect(g, calibration, o.Progress);
            foreach (var t in g.Tensors)
            {
                var s = stats[t.Index];
                if (s != null && (float.IsInfinity(s.Min) || float.IsInfinity(s.Max)) && s.Count > 0)
                    throw new PackException($"{g.SourceName}: {t.Describe} takes infinite values on the calibration data; check the input scaling");
            }
            var methods = new RangeMethod[g.Tensors.Count];
            var groups = Quantizer.TieGroups(g);
            var overridden = new HashSet<int>();
            foreach (var grp in groups)
            {
                var m = o.Method == RangeMethod.Auto ? RangeMethod.MinMax : o.Method;
                foreach (int t in grp)
                    if (o.Overrides.TryGetValue(g.Tensors[t].Name, out var ov)) { m = ov; overridden.Add(grp[0]); }
                methods[grp[0]] = m;
            }
            var scoring = calibration.Take(Math.Max(1, o.AutoSamples)).ToList();
            var floatOutputs = FloatOutputs(g, scoring);
            double Score(RangeMethod[] ms, out QuantizedModel qm, out PackResult pr)
            {
                var act = Quantizer.AssignActivations(g, stats, t => ms[t], o.Percentile);
                qm = Quantizer.Build(g, act, o.BiasCorrection ? stats : null);
                pr = Packer.Finish(TfliteImporter.Import(qm.Tflite, g.SourceName), sourceBytes);
                var runner = new Int8Runner(g, qm, pr);
                var err = new ErrorStats();
                for (int s = 0; s < scoring.Count; s++)
                {
                    var outs = runner.Run(scoring[s]);
                    for (int k = 0; k < outs.Length; k++) err.Add(floatOutputs[s][k], outs[k]);
                }
                return err.SqnrDb;
            }
            double best = Score(methods, out var bestQ, out var bestPack);
            int trials = 1;
            if (o.Method == RangeMethod.Auto)
            {
                var candidates = groups.Where(grp => !overridden.Contains(grp[0]) && !IsFixed(g, grp)).ToList();
                int done = 0;
                foreach (var grp in candidates)
                {
                    foreach (var m in new[] { RangeMethod.Percentile, RangeMethod.Mse })
                    {
                        var trial = (RangeMethod[])methods.Clone();
                        trial[grp[0]] = m;
                        double score = Score(trial, out var q, out var p);
                        trials++;
                        if (score > best + 0.01)
                        {
                            best = score;
                            methods = trial;
                            bestQ = q;
                            bestPack = p;
                        }
                    }
                    o.Progress?.Invoke("choosing ranges", ++done, candidates.Count);
                }
            }
            return new QuantizeResult { Float = g, Stats = stats, Quantized = bestQ, Pack = bestPack, ScoreDb = best, Trials = trials, BiasCorrected = o.BiasCorrection };
        }

        static bool IsFixed(FloatGraph g, List<int> grp) => Quantizer.IsFixed(g, grp);

        static List<float[][]> FloatOutputs(FloatGraph g, List<float[][]> samples)
        {
            var fi = new FloatInterpreter(g);
            var result = new List<float[][]>();
            foreach (var s in samples)
            {
                fi.Run(s);
                result.Add(g.Outputs.Select(b => (float[])fi.Values[b.Tensor].Clone()).ToArray());
            }
            return result;
        }
    }
}
