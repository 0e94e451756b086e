using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Float;

namespace Mote.Packer.Quantization
{
    /// <summary>Activation type of the quantized model (weights are int8 either way).</summary>
    public enum ActivationMode
    {
        /// <summary>Every activation int8 (TFLite's int8 contract).</summary>
        Int8,
        /// <summary>Every activation an int16-capable operator produces is int16 (TFLite's 16x8 mode); the rest stays int8.</summary>
        Int16,
        /// <summary>int8, then the layers with the worst measured error move to int16 while the output error improves.</summary>
        Auto,
    }

    /// <summary>One step of the <see cref="ActivationMode.Auto"/> search: a layer tried in int16, with the measured numbers.</summary>
    public sealed class Int16Choice
    {
        /// <summary>The float tensor (layer output) whose group was tried, and every tensor of the group.</summary>
        public string Layer = "";
        public string[] Tensors = Array.Empty<string>();
        /// <summary>SQNR (dB) of the layer's output against float before and after moving it to int16.</summary>
        public double LayerDbBefore, LayerDbAfter;
        /// <summary>SQNR (dB) of the model outputs before and after.</summary>
        public double OutputDbBefore, OutputDbAfter;
        public bool Accepted;
    }

    public sealed class QuantizeOptions
    {
        /// <summary>int8, int16 (16x8) or auto activations.</summary>
        public ActivationMode Activations = ActivationMode.Int8;
        /// <summary>Model inputs and outputs int16 instead of int8 (QUANTIZE ops convert at the boundary where needed).</summary>
        public bool Int16Interface;
        /// <summary>Auto: the least output-SQNR gain (dB) for which a layer is moved to int16.</summary>
        public double Int16MinGainDb = 1.0;
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
        /// <summary>Names of the activation tensors quantized to int16.</summary>
        public List<string> Int16Tensors = new();
        /// <summary>Auto activations: every layer tried in int16, in order, with its measurements.</summary>
        public List<Int16Choice> Int16Choices = new();
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
                if (o.Activations != ActivationMode.Int8)
                    throw new PackException($"{g.SourceName}: int16 activations need calibration data (--calibration) to measure their ranges");
                var fixedAct = Quantizer.AssignActivations(g, null, _ => RangeMethod.MinMax, o.Percentile);
                var fq = Quantizer.Build(g, fixedAct, null, o.Int16Interface);
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
            var wide = new bool[g.Tensors.Count];
            if (o.Activations == ActivationMode.Int16)
                foreach (var grp in groups)
                    if (Quantizer.CanBeInt16(g, grp)) wide[grp[0]] = true;
            var scoring = calibration.Take(Math.Max(1, o.AutoSamples)).ToList();
            var floatOutputs = FloatOutputs(g, scoring);
            double Score(RangeMethod[] ms, out QuantizedModel qm, out PackResult pr) => ScoreWith(ms, wide, out qm, out pr);
            double ScoreWith(RangeMethod[] ms, bool[] w16, out QuantizedModel qm, out PackResult pr)
            {
                var act = Quantizer.AssignActivations(g, stats, t => ms[t], o.Percentile, t => w16[t]);
                qm = Quantizer.Build(g, act, o.BiasCorrection ? stats : null, o.Int16Interface);
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
                var candidates = groups.Where(grp => !overridden.Contains(grp[0]) && !IsFixed(g, grp) && !wide[grp[0]]).ToList();
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
            var choices = new List<Int16Choice>();
            if (o.Activations == ActivationMode.Auto)
            {
                // Each round measures every layer's SQNR against float, takes the (up to 16) eligible
                // int8 groups with the worst layer SQNR, and tries each in int16 together with the
                // int16-capable layers reading it (CONV_2D / FULLY_CONNECTED run in their output's
                // type, so the next layer must be int16 too for the precision to reach it). The try
                // that raises the model outputs' SQNR most is kept if it gains Int16MinGainDb or more;
                // otherwise the search stops.
                var floatLayers = FloatLayers(g, scoring);
                var groupOf = new Dictionary<int, List<int>>();
                foreach (var grp in groups) foreach (int t in grp) groupOf[t] = grp;
                while (true)
                {
                    var layerDb = LayerSqnr(g, bestQ, bestPack, scoring, floatLayers);
                    var ranked = new List<(List<int> grp, int tensor, double db)>();
                    foreach (var grp in groups)
                    {
                        if (wide[grp[0]] || !Quantizer.CanBeInt16(g, grp)) continue;
                        int worstTensor = -1;
                        double worstDb = double.PositiveInfinity;
                        foreach (int t in grp)
                            if (g.Producer(t) != null && layerDb.TryGetValue(t, out double db) && (worstTensor < 0 || db < worstDb)) { worstTensor = t; worstDb = db; }
                        if (worstTensor >= 0) ranked.Add((grp, worstTensor, worstDb));
                    }
                    if (ranked.Count == 0) break;
                    Int16Choice bestChoice = null;
                    bool[] bestTrial = null;
                    QuantizedModel bestTrialQ = null;
                    PackResult bestTrialP = null;
                    foreach (var (grp, tensor, db) in ranked.OrderBy(r => r.db).Take(16))
                    {
                        var trial = (bool[])wide.Clone();
                        var moved = new List<int>(grp);
                        trial[grp[0]] = true;
                        foreach (int t in grp)
                            foreach (var c in g.Consumers(t))
                                if (c.Kind is FloatOpKind.Conv2D or FloatOpKind.DepthwiseConv2D or FloatOpKind.FullyConnected or FloatOpKind.Add or FloatOpKind.Mul or FloatOpKind.LeakyRelu && groupOf.TryGetValue(c.Outputs[0], out var next)
                                    && !trial[next[0]] && Quantizer.CanBeInt16(g, next))
                                {
                                    trial[next[0]] = true;
                                    moved.AddRange(next);
                                }
                        double score = ScoreWith(methods, trial, out var q, out var p);
                        trials++;
                        if (bestChoice != null && score <= bestChoice.OutputDbAfter) continue;
                        var after = LayerSqnr(g, q, p, scoring, floatLayers);
                        bestChoice = new Int16Choice
                        {
                            Layer = g.Tensors[tensor].Name,
                            Tensors = moved.Select(t => g.Tensors[t].Name).ToArray(),
                            LayerDbBefore = db,
                            LayerDbAfter = after.TryGetValue(tensor, out double a) ? a : double.NaN,
                            OutputDbBefore = best,
                            OutputDbAfter = score,
                        };
                        bestTrial = trial;
                        bestTrialQ = q;
                        bestTrialP = p;
                    }
                    bestChoice.Accepted = bestChoice.OutputDbAfter >= best + o.Int16MinGainDb;
                    choices.Add(bestChoice);
                    o.Progress?.Invoke("choosing int16 layers", choices.Count, groups.Count);
                    if (!bestChoice.Accepted) break;
                    wide = bestTrial;
                    best = bestChoice.OutputDbAfter;
                    bestQ = bestTrialQ;
                    bestPack = bestTrialP;
                }
            }
            var int16Tensors = bestQ.Activations.Where(a => a != null && a.Int16).Select(a => g.Tensors[a.Tensor].Name).ToList();
            return new QuantizeResult
            {
                Float = g, Stats = stats, Quantized = bestQ, Pack = bestPack, ScoreDb = best, Trials = trials, BiasCorrected = o.BiasCorrection,
                Int16Tensors = int16Tensors, Int16Choices = choices,
            };
        }

        /// <summary>Every tensor's float values for each sample.</summary>
        static List<float[][]> FloatLayers(FloatGraph g, List<float[][]> samples)
        {
            var fi = new FloatInterpreter(g);
            var result = new List<float[][]>();
            foreach (var s in samples)
            {
                fi.Run(s);
                result.Add(fi.Values.Select(v => v == null ? null : (float[])v.Clone()).ToArray());
            }
            return result;
        }

        /// <summary>SQNR (dB) of every operator output of the quantized model against float over the samples, by float tensor.</summary>
        public static Dictionary<int, double> LayerSqnr(FloatGraph g, QuantizedModel q, PackResult p, List<float[][]> samples, List<float[][]> floatLayers)
        {
            var runner = new Int8Runner(g, q, p);
            var errors = new Dictionary<int, ErrorStats>();
            for (int s = 0; s < samples.Count; s++)
            {
                var fl = floatLayers[s];
                runner.RunLayers(samples[s], (t, values) =>
                {
                    if (fl[t] == null) return;
                    if (!errors.TryGetValue(t, out var e)) errors[t] = e = new ErrorStats();
                    e.Add(fl[t], values);
                });
            }
            return errors.ToDictionary(kv => kv.Key, kv => kv.Value.SqnrDb);
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
