using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mote.Packer.Data;
using Mote.Packer.Float;

namespace Mote.Packer.Quantization
{
    /// <summary>Reads model inputs from .npy files into per-sample arrays in the float graph's layout.</summary>
    public static class SampleLoader
    {
        /// <summary>
        /// Loads samples for input 0 of <paramref name="g"/> from a .npy file or a directory of them.
        /// A file holds one sample (the input's shape) or many ([N, …] whose trailing dimensions are
        /// the input's shape, with or without its batch dimension of 1).
        /// </summary>
        public static List<float[][]> Load(FloatGraph g, string path)
        {
            if (g.Inputs.Count != 1)
                throw new PackException($"{g.SourceName}: the model has {g.Inputs.Count} inputs; sample files can feed single-input models only");
            var files = Directory.Exists(path)
                ? Directory.GetFiles(path, "*.npy").OrderBy(f => f, StringComparer.Ordinal).ToArray()
                : File.Exists(path) ? new[] { path } : throw new DataFormatException(path, "no such file or directory");
            if (files.Length == 0) throw new DataFormatException(path, "the directory holds no .npy files");
            var result = new List<float[][]>();
            foreach (var f in files) result.AddRange(Split(g, Npy.Load(f), f));
            return result;
        }

        public static List<float[][]> Split(FloatGraph g, NpyArray a, string file)
        {
            var b = g.Inputs[0];
            var shape = b.SourceShape;
            int per = shape.Aggregate(1, (x, y) => x * y);
            var inner = shape.Length > 0 && shape[0] == 1 ? shape.Skip(1).ToArray() : shape;
            bool single = a.Shape.SequenceEqual(shape) || a.Shape.SequenceEqual(inner);
            bool batch = a.Shape.Length >= 1 && (a.Shape.Skip(1).SequenceEqual(inner) || a.Shape.Skip(1).SequenceEqual(shape));
            if (!single && !batch)
                throw new DataFormatException(file, $"array shape {a.ShapeText} does not hold samples of input '{b.SourceName}' [{string.Join(",", shape)}]; expected [N,{string.Join(",", inner)}]");
            var data = a.AsFloats();
            int n = single ? 1 : a.Shape[0];
            var list = new List<float[][]>(n);
            for (int s = 0; s < n; s++)
            {
                var x = new float[per];
                Array.Copy(data, s * per, x, 0, per);
                foreach (float v in x)
                    if (float.IsNaN(v) || float.IsInfinity(v)) throw new DataFormatException(file, $"sample {s} contains {v}");
                list.Add(new[] { FloatGraph.ToGraphLayout(b, x) });
            }
            return list;
        }
    }

    /// <summary>The end metric of a classifier: accuracy, or F1 of one positive class.</summary>
    public sealed class Metric
    {
        public string Name = "accuracy";
        public int PositiveClass = 1;

        public static Metric Parse(string name, int positive)
        {
            if (name is not ("accuracy" or "f1")) throw new ArgumentException($"unknown metric '{name}' (accuracy or f1)");
            return new Metric { Name = name, PositiveClass = positive };
        }

        public double Compute(IReadOnlyList<int> predicted, IReadOnlyList<long> labels)
        {
            if (Name == "accuracy")
                return predicted.Zip(labels).Count(p => p.First == p.Second) / (double)Math.Max(1, labels.Count);
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < labels.Count; i++)
            {
                bool p = predicted[i] == PositiveClass, l = labels[i] == PositiveClass;
                if (p && l) tp++; else if (p) fp++; else if (l) fn++;
            }
            return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        }

        public override string ToString() => Name == "f1" ? $"F1 of class {PositiveClass}" : "accuracy";
    }

    /// <summary>One layer's int8-vs-float comparison.</summary>
    public sealed class LayerReport
    {
        public int Index;
        public FOp Op;
        public FTensor Output;
        public ActivationQuant Quant;
        public ErrorStats Error = new();
    }

    public sealed class EvalReport
    {
        public List<LayerReport> Layers = new();
        public ErrorStats OutputError = new();
        public int Samples;
        public Metric Metric;
        public double? FloatMetric, Int8Metric;
        /// <summary>Share of samples whose int8 and float top-1 classes agree.</summary>
        public double Top1Agreement;
        public List<int> FloatPredictions = new(), Int8Predictions = new();
    }

    /// <summary>Runs float and int8 side by side over a data set: per-layer SQNR/cosine and the end metric.</summary>
    public static class Evaluator
    {
        public static EvalReport Evaluate(QuantizeResult q, IReadOnlyList<float[][]> inputs, IReadOnlyList<long> labels, Metric metric, Progress progress = null)
        {
            var g = q.Float;
            var fi = new FloatInterpreter(g);
            var runner = new Int8Runner(g, q.Quantized, q.Pack);
            var report = new EvalReport { Samples = inputs.Count, Metric = metric };
            var byTensor = new Dictionary<int, LayerReport>();
            for (int i = 0; i < g.Ops.Count; i++)
            {
                var op = g.Ops[i];
                var l = new LayerReport { Index = i, Op = op, Output = g.Tensors[op.Outputs[0]], Quant = q.Quantized.Activations[op.Outputs[0]] };
                report.Layers.Add(l);
                byTensor[op.Outputs[0]] = l;
            }
            int agree = 0;
            for (int s = 0; s < inputs.Count; s++)
            {
                fi.Run(inputs[s]);
                runner.RunLayers(inputs[s], (t, values) =>
                {
                    if (byTensor.TryGetValue(t, out var l)) l.Error.Add(fi.Values[t], values);
                });
                var b = g.Outputs[0];
                var fo = FloatGraph.ToSourceLayout(b, fi.Values[b.Tensor], g.Tensors[b.Tensor].Shape);
                // The model's output tensor (after a boundary QUANTIZE when the interface type differs
                // from the layer's): what the device returns.
                var qo = FloatGraph.ToSourceLayout(b, runner.Dequantize(runner.Interpreter.Model.GetOutputTensorIndex(0)), g.Tensors[b.Tensor].Shape);
                report.OutputError.Add(fo, qo);
                int pf = ArgMax(fo), pq = ArgMax(qo);
                report.FloatPredictions.Add(pf);
                report.Int8Predictions.Add(pq);
                if (pf == pq) agree++;
                progress?.Invoke("evaluating", s + 1, inputs.Count);
            }
            report.Top1Agreement = agree / (double)Math.Max(1, inputs.Count);
            if (labels != null && metric != null)
            {
                if (labels.Count != inputs.Count)
                    throw new PackException($"{g.SourceName}: {labels.Count} labels for {inputs.Count} samples");
                report.FloatMetric = metric.Compute(report.FloatPredictions, labels);
                report.Int8Metric = metric.Compute(report.Int8Predictions, labels);
            }
            return report;
        }

        public static int ArgMax(float[] v)
        {
            int best = 0;
            for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
            return best;
        }
    }

    /// <summary>A sample model's manifest (tools/samples/&lt;name&gt;/sample.json).</summary>
    public sealed class SampleManifest
    {
        public string Directory = "";
        public string Name = "", Description = "", Model = "", Calibration = "", TestInputs = "", TestLabels = "", ReferenceOutputs = "", QdqModel = "";
        public string MetricName = "accuracy";
        public int PositiveClass = 1;
        public double? FloatMetric, QdqOrtMetric;
        public string[] Classes = Array.Empty<string>();

        public string PathOf(string relative) => Path.Combine(Directory, relative);

        public Metric Metric => Metric.Parse(MetricName, PositiveClass);

        public static SampleManifest Load(string dirOrFile)
        {
            string file = System.IO.Directory.Exists(dirOrFile) ? Path.Combine(dirOrFile, "sample.json") : dirOrFile;
            if (!File.Exists(file)) throw new DataFormatException(file, "sample manifest not found");
            JsonDocument doc;
            try { doc = JsonDocument.Parse(File.ReadAllBytes(file)); }
            catch (JsonException e) { throw new DataFormatException(file, "not valid JSON: " + e.Message); }
            var r = doc.RootElement;
            string S(string k, bool required = true)
            {
                if (r.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String) return v.GetString();
                if (required) throw new DataFormatException(file, $"missing string field '{k}'");
                return "";
            }
            double? D(string k) => r.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            return new SampleManifest
            {
                Directory = Path.GetDirectoryName(Path.GetFullPath(file)),
                Name = S("name"),
                Description = S("description", false),
                Model = S("model"),
                Calibration = S("calibration"),
                TestInputs = S("test_inputs"),
                TestLabels = S("test_labels"),
                ReferenceOutputs = S("reference_outputs", false),
                QdqModel = S("qdq_model", false),
                MetricName = S("metric", false) is { Length: > 0 } m ? m : "accuracy",
                PositiveClass = (int)(D("positive_class") ?? 1),
                FloatMetric = D("float_metric"),
                QdqOrtMetric = D("qdq_ort_metric"),
                Classes = r.TryGetProperty("classes", out var c) && c.ValueKind == JsonValueKind.Array ? c.EnumerateArray().Select(x => x.ToString()).ToArray() : Array.Empty<string>(),
            };
        }
    }
}
