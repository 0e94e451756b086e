using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Mote.Packer;
using Mote.Packer.Data;
using Mote.Packer.Float;
using Mote.Packer.Quantization;
using Mote.Runtime;

namespace Mote.Cli
{
    /// <summary>The quantizing commands: pack of an ONNX model, eval and demo.</summary>
    static class QuantCommands
    {
        static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        static QuantizeOptions Options(Args a, TextWriter err)
        {
            var o = new QuantizeOptions
            {
                Method = ParseMethod(a.Get("--method") ?? "auto", "--method"),
                AutoSamples = a.GetInt("--auto-samples", 64, 1),
                BiasCorrection = a.Has("--bias-correction"),
                Progress = ProgressPrinter(err),
                Activations = (a.Get("--activations") ?? "int8") switch
                {
                    "int8" => ActivationMode.Int8,
                    "int16" => ActivationMode.Int16,
                    "auto" => ActivationMode.Auto,
                    var x => throw new UsageException($"--activations: unknown activation type '{x}' (int8, int16, auto)"),
                },
                Int16Interface = (a.Get("--io") ?? "int8") switch
                {
                    "int8" => false,
                    "int16" => true,
                    var x => throw new UsageException($"--io: unknown interface type '{x}' (int8, int16)"),
                },
            };
            string p = a.Get("--percentile");
            if (p != null)
            {
                if (!double.TryParse(p, NumberStyles.Float, Inv, out double v) || v <= 50 || v > 100)
                    throw new UsageException($"--percentile expects a number in (50, 100], got '{p}'");
                o.Percentile = v;
            }
            foreach (var r in a.GetAll("--range"))
            {
                int eq = r.LastIndexOf('=');
                if (eq <= 0) throw new UsageException($"--range expects <tensor>=<method>, got '{r}'");
                o.Overrides[r.Substring(0, eq)] = ParseMethod(r.Substring(eq + 1), "--range");
            }
            return o;
        }

        static RangeMethod ParseMethod(string s, string option) => s switch
        {
            "auto" => RangeMethod.Auto,
            "minmax" or "min-max" => RangeMethod.MinMax,
            "percentile" => RangeMethod.Percentile,
            "mse" => RangeMethod.Mse,
            _ => throw new UsageException($"{option}: unknown range method '{s}' (auto, minmax, percentile, mse)"),
        };

        /// <summary>A progress bar on a terminal; silent when stderr is redirected (the summary line follows anyway).</summary>
        static Progress ProgressPrinter(TextWriter err)
        {
            if (err != Console.Error || Console.IsErrorRedirected) return null;
            string last = "";
            return (what, done, total) =>
            {
                int width = 30, filled = total == 0 ? width : done * width / total;
                string line = $"\r  {what,-16} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total}";
                if (line == last) return;
                last = line;
                err.Write(line);
                if (done == total) err.Write("\r" + new string(' ', line.Length) + "\r");
            };
        }

        static List<float[][]> Samples(FloatGraph g, string path) => path == null ? new List<float[][]>() : SampleLoader.Load(g, path);

        // ------------------------------------------------------------------ pack model.onnx

        public static int PackOnnx(Args a, TextWriter o, TextWriter err, string input)
        {
            string output = a.Get("-o", "--output") ?? Path.ChangeExtension(input, ".mote");
            string calibration = a.Get("--calibration");
            string reportPath = a.Get("--report");
            bool quiet = a.Has("--quiet");
            string profileArg = a.Get("--profile");
            var options = Options(a, err);
            a.RejectUnused();
            var profile = profileArg == null ? null : FitText.Load(profileArg);

            var sw = Stopwatch.StartNew();
            var g = Packer.Packer.ImportOnnx(input);
            var calib = Samples(g, calibration);
            var q = Packer.Packer.PackOnnx(g, calib, options, new FileInfo(input).Length);
            EvalReport report = calib.Count > 0 ? Evaluator.Evaluate(q, calib, null, null) : null;
            if (!quiet)
            {
                o.Write(Report.PackTable(q.Pack));
                o.WriteLine();
                o.Write(QuantTable(q, report, calib.Count > 0 ? $"{calib.Count} calibration samples" : null));
            }
            o.WriteLine(Summary(q, calib.Count, sw.Elapsed));
            if (profile != null && !FitText.Check(q.Pack, profile, o, err)) return 1;
            File.WriteAllBytes(output, q.Pack.Blob);
            if (reportPath != null)
            {
                File.WriteAllText(reportPath, HtmlReport.Render(q, report, null, Path.GetFileName(input)));
                o.WriteLine($"report: {reportPath}");
            }
            o.WriteLine($"wrote {output}: {q.Pack.Blob.Length} bytes (source {q.Pack.SourceBytes} bytes), arena {q.Pack.Model.ArenaBytes} bytes "
                + $"(lower bound {q.Pack.ArenaLowerBound}), CRC-32 0x{q.Pack.Model.Crc:X8}");
            return 0;
        }

        static string Summary(QuantizeResult q, int samples, TimeSpan elapsed)
        {
            var methods = q.Quantized.Activations.Where(x => x != null).GroupBy(x => x.How).Select(k => $"{k.Count()} {k.Key}");
            string score = double.IsNaN(q.ScoreDb) ? "" : $"; output SQNR {q.ScoreDb:F1} dB on the scoring samples";
            var sb = new StringBuilder();
            foreach (var c in q.Int16Choices)
                sb.AppendLine($"int16 search: best move {string.Join(", ", c.Tensors)}: layer {c.Layer} SQNR {Db(c.LayerDbBefore)} dB in int8 -> {Db(c.LayerDbAfter)} dB, "
                    + $"output SQNR {Db(c.OutputDbBefore)} -> {Db(c.OutputDbAfter)} dB: {(c.Accepted ? "moved to int16" : "kept int8 (gain below 1 dB; search stops)")}");
            string wide = q.Int16Tensors.Count == 0 ? "" : $"; int16 activations: {string.Join(", ", q.Int16Tensors)}";
            return sb + $"quantized {q.Float.SourceName}{(q.Float.IsQdq ? " (QDQ scales kept)" : "")}{(q.BiasCorrected ? " with bias correction" : "")}: {samples} calibration samples, "
                + $"{q.Trials} range candidate(s) tried{score}; activations: {string.Join(", ", methods)}{wide} ({elapsed.TotalSeconds:F1} s)";
        }

        /// <summary>Per-layer table: chosen range and method, int8 parameters, SQNR and cosine against float.</summary>
        public static string QuantTable(QuantizeResult q, EvalReport r, string over)
        {
            var sb = new StringBuilder();
            sb.AppendLine(over == null ? "Quantization (no data to compare on):" : $"Quantization, {(q.Int16Tensors.Count > 0 ? "int8/int16" : "int8")} vs float over {over}:");
            sb.AppendLine("  #  op                 output                        range                      chosen by        scale       zp   SQNR dB  cosine");
            var layers = r?.Layers ?? q.Float.Ops.Select((op, i) => new LayerReport { Index = i, Op = op, Output = q.Float.Tensors[op.Outputs[0]], Quant = q.Quantized.Activations[op.Outputs[0]] }).ToList();
            foreach (var l in layers)
            {
                var aq = l.Quant;
                string name = l.Output.Name.Length > 28 ? "…" + l.Output.Name[^27..] : l.Output.Name;
                string range = aq == null ? "" : $"[{aq.Range.Min.ToString("G4", Inv)}, {aq.Range.Max.ToString("G4", Inv)}]";
                string sq = r == null ? "" : Db(l.Error.SqnrDb);
                string cos = r == null ? "" : l.Error.Cosine.ToString("F4", Inv);
                sb.AppendLine($"  {l.Index,-2} {l.Op.Name + Act(l.Op),-18} {name,-29} {range,-26} {aq?.How ?? "",-16} {aq?.Scale.ToString("G4", Inv) ?? "",-10} {aq?.ZeroPoint,4} {sq,8} {cos,7}");
            }
            if (r != null) sb.AppendLine($"  model output: SQNR {Db(r.OutputError.SqnrDb)} dB, cosine {r.OutputError.Cosine:F4}, top-1 agreement {r.Top1Agreement:P1}");
            return sb.ToString();
        }

        static string Act(FOp op) => op.Activation == FusedActivation.None ? "" : "+" + op.Activation.ToString().ToUpperInvariant();

        static string Db(double d) => double.IsPositiveInfinity(d) ? "inf" : d.ToString("F1", Inv);

        // ------------------------------------------------------------------ eval

        public static int Eval(Args a, TextWriter o, TextWriter err)
        {
            string target = a.Positional(0, "model.onnx or a sample directory (e.g. mote eval tools/samples/digits)");
            a.NoMorePositionals(1);
            SampleManifest m = Directory.Exists(target) ? SampleManifest.Load(target) : null;
            string model = m != null ? m.PathOf(m.Model) : target;
            string calibration = a.Get("--calibration") ?? (m != null ? m.PathOf(m.Calibration) : null);
            string data = a.Get("--data") ?? (m != null ? m.PathOf(m.TestInputs) : null);
            string labels = a.Get("--labels") ?? (m != null ? m.PathOf(m.TestLabels) : null);
            string metricName = a.Get("--metric") ?? m?.MetricName ?? "accuracy";
            int positive = a.GetInt("--positive-class", m?.PositiveClass ?? 1, 0);
            string reportPath = a.Get("--report");
            bool json = a.Has("--json");
            var options = Options(a, err);
            a.RejectUnused();
            if (data == null) throw new UsageException("--data <inputs.npy> is required (the samples to evaluate on)");
            Metric metric;
            try { metric = Metric.Parse(metricName, positive); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }

            var g = Packer.Packer.ImportOnnx(model);
            var calib = Samples(g, calibration);
            var q = Packer.Packer.PackOnnx(g, calib, options, new FileInfo(model).Length);
            var inputs = SampleLoader.Load(g, data);
            long[] y = labels == null ? null : Npy.Load(labels).AsInts(labels);
            var r = Evaluator.Evaluate(q, inputs, y, metric, options.Progress);
            if (json)
            {
                o.WriteLine(Json(w =>
                {
                    w.WriteString("model", Path.GetFileName(model));
                    w.WriteString("metric", metric.Name);
                    if (r.FloatMetric != null) w.WriteNumber("float_metric", Math.Round(r.FloatMetric.Value, 6));
                    if (r.Int8Metric != null) w.WriteNumber("int8_metric", Math.Round(r.Int8Metric.Value, 6));
                    w.WriteNumber("samples", r.Samples);
                    w.WriteNumber("top1_agreement", Math.Round(r.Top1Agreement, 6));
                    w.WriteNumber("output_sqnr_db", Math.Round(Finite(r.OutputError.SqnrDb), 3));
                    w.WriteStartArray("layers");
                    foreach (var l in r.Layers)
                    {
                        w.WriteStartObject();
                        w.WriteString("op", l.Op.Name);
                        w.WriteString("tensor", l.Output.Name);
                        w.WriteString("range_method", l.Quant.How);
                        w.WriteNumber("range_min", l.Quant.Range.Min);
                        w.WriteNumber("range_max", l.Quant.Range.Max);
                        w.WriteNumber("scale", l.Quant.Scale);
                        w.WriteNumber("zero_point", l.Quant.ZeroPoint);
                        w.WriteString("dtype", l.Quant.Int16 ? "int16" : "int8");
                        w.WriteNumber("sqnr_db", Math.Round(Finite(l.Error.SqnrDb), 3));
                        w.WriteNumber("cosine", Math.Round(l.Error.Cosine, 6));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("int16_search");
                    foreach (var c in q.Int16Choices)
                    {
                        w.WriteStartObject();
                        w.WriteString("layer", c.Layer);
                        w.WriteStartArray("tensors");
                        foreach (var t in c.Tensors) w.WriteStringValue(t);
                        w.WriteEndArray();
                        w.WriteNumber("layer_sqnr_db_before", Math.Round(Finite(c.LayerDbBefore), 3));
                        if (double.IsNaN(c.LayerDbAfter)) w.WriteNull("layer_sqnr_db_after");
                        else w.WriteNumber("layer_sqnr_db_after", Math.Round(Finite(c.LayerDbAfter), 3));
                        w.WriteNumber("output_sqnr_db_before", Math.Round(Finite(c.OutputDbBefore), 3));
                        w.WriteNumber("output_sqnr_db_after", Math.Round(Finite(c.OutputDbAfter), 3));
                        w.WriteBoolean("accepted", c.Accepted);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }));
            }
            else
            {
                o.Write(QuantTable(q, r, $"{r.Samples} samples of {Path.GetFileName(data)}"));
                string summary = Summary(q, calib.Count, TimeSpan.Zero);
                o.WriteLine(summary.Substring(0, summary.LastIndexOf(" (", StringComparison.Ordinal)));
                if (r.FloatMetric != null)
                    o.WriteLine($"{metric}: float {Pct(r.FloatMetric.Value)}, {(q.Int16Tensors.Count > 0 ? "quantized (int16 activations)" : "int8")} {Pct(r.Int8Metric.Value)} ({Pp(r.Int8Metric.Value - r.FloatMetric.Value)}) on {r.Samples} samples");
            }
            if (reportPath != null)
            {
                File.WriteAllText(reportPath, HtmlReport.Render(q, r, metric, Path.GetFileName(model)));
                if (!json) o.WriteLine($"report: {reportPath}");
            }
            return 0;
        }

        static double Finite(double d) => double.IsPositiveInfinity(d) ? 999 : double.IsNegativeInfinity(d) ? -999 : d;

        static string Pct(double v) => (v * 100).ToString("F2", Inv) + "%";

        static string Pp(double d) => (d >= 0 ? "+" : "") + (d * 100).ToString("F2", Inv) + " pp";

        static string Json(Action<Utf8JsonWriter> body)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                body(w);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        // ------------------------------------------------------------------ demo

        /// <summary>Finds tools/samples from the working directory or the tool's own location.</summary>
        static string FindSamples()
        {
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                {
                    string p = Path.Combine(d.FullName, "tools", "samples");
                    if (Directory.Exists(p) && Directory.GetDirectories(p).Any(x => File.Exists(Path.Combine(x, "sample.json")))) return p;
                }
            }
            throw new UsageException("cannot find the sample models (tools/samples); run from the repository or pass --samples <dir>");
        }

        public static int Demo(Args a, TextWriter o, TextWriter err)
        {
            string samplesDir = a.Get("--samples") ?? FindSamples();
            string outDir = a.Get("-o", "--output") ?? Path.Combine("out", "demo");
            bool json = a.Has("--json");
            int iterations = a.GetInt("--iterations", 200, 1);
            var options = Options(a, err);
            var names = new List<string>();
            for (int i = 0; ; i++)
            {
                try { names.Add(a.Positional(i, "")); }
                catch (UsageException) { break; }
            }
            a.RejectUnused();
            var dirs = Directory.GetDirectories(samplesDir).Where(d => File.Exists(Path.Combine(d, "sample.json"))).OrderBy(d => d, StringComparer.Ordinal).ToList();
            if (names.Count > 0)
            {
                foreach (var n in names)
                    if (!dirs.Any(d => Path.GetFileName(d) == n))
                        throw new UsageException($"no sample '{n}' in {samplesDir} (have: {string.Join(", ", dirs.Select(Path.GetFileName))})");
                dirs = dirs.Where(d => names.Contains(Path.GetFileName(d))).ToList();
            }
            if (dirs.Count == 0) throw new UsageException($"{samplesDir} holds no sample (a directory with sample.json)");
            Directory.CreateDirectory(outDir);
            var lines = new List<string>();
            int failures = 0;
            foreach (var dir in dirs)
            {
                var m = SampleManifest.Load(dir);
                var sw = Stopwatch.StartNew();
                o.WriteLine($"== {m.Name}: {m.Description}");
                var g = Packer.Packer.ImportOnnx(m.PathOf(m.Model));
                o.WriteLine($"   imported {m.Model}: {g.Ops.Count} operators ({string.Join(", ", g.Ops.GroupBy(x => x.Name).Select(k => k.Count() + " " + k.Key))})");
                var calib = SampleLoader.Load(g, m.PathOf(m.Calibration));
                var q = Packer.Packer.PackOnnx(g, calib, options, new FileInfo(m.PathOf(m.Model)).Length);
                string blobPath = Path.Combine(outDir, m.Name + ".mote");
                File.WriteAllBytes(blobPath, q.Pack.Blob);
                o.WriteLine("   " + Summary(q, calib.Count, sw.Elapsed));
                var test = SampleLoader.Load(g, m.PathOf(m.TestInputs));
                var labels = Npy.Load(m.PathOf(m.TestLabels)).AsInts(m.PathOf(m.TestLabels));
                var r = Evaluator.Evaluate(q, test, labels, m.Metric, options.Progress);
                o.Write(Indent(QuantTable(q, r, $"{r.Samples} held-out test samples")));

                // Oracle: the float interpreter against the training framework's own outputs.
                double maxDiff = double.NaN;
                if (m.ReferenceOutputs.Length > 0 && File.Exists(m.PathOf(m.ReferenceOutputs)))
                {
                    var refs = Npy.Load(m.PathOf(m.ReferenceOutputs)).AsFloats();
                    var fi = new FloatInterpreter(g);
                    int per = refs.Length / Math.Max(1, test.Count);
                    maxDiff = 0;
                    for (int s = 0; s < test.Count; s++)
                    {
                        fi.Run(test[s]);
                        var b = g.Outputs[0];
                        var f = FloatGraph.ToSourceLayout(b, fi.Values[b.Tensor], g.Tensors[b.Tensor].Shape);
                        for (int k = 0; k < per && k < f.Length; k++) maxDiff = Math.Max(maxDiff, Math.Abs(f[k] - refs[s * per + k]));
                    }
                }
                double median = Bench(q.Pack.Model, test[0], g, q, iterations, out long allocated);
                string metricText = m.Metric.ToString();
                o.WriteLine($"   {metricText}: float {Pct(r.FloatMetric.Value)} -> int8 {Pct(r.Int8Metric.Value)} ({Pp(r.Int8Metric.Value - r.FloatMetric.Value)}), "
                    + $"top-1 agreement {r.Top1Agreement:P1} on {r.Samples} held-out samples");
                if (m.FloatMetric != null)
                {
                    // The manifest rounds to 6 decimals; one sample changes the metric by far more than that.
                    bool same = Math.Abs(m.FloatMetric.Value - r.FloatMetric.Value) < 1e-5;
                    o.WriteLine($"   float check: training framework measured {Pct(m.FloatMetric.Value)}{(same ? " (same)" : " — DIFFERS from Mote's float interpreter")}"
                        + (double.IsNaN(maxDiff) ? "" : $"; max |logit difference| {maxDiff:G3}"));
                    if (!same) failures++;
                }
                o.WriteLine($"   blob {q.Pack.Blob.Length:N0} B (ONNX {q.Pack.SourceBytes:N0} B), arena {q.Pack.Model.ArenaBytes:N0} B, "
                    + $"median {median:F1} us per inference (reference kernels, {iterations} runs, {allocated} B allocated), wrote {blobPath}");
                double? qdqMetric = null;
                if (m.QdqModel.Length > 0 && File.Exists(m.PathOf(m.QdqModel)))
                {
                    var gq = Packer.Packer.ImportOnnx(m.PathOf(m.QdqModel));
                    var qq = Packer.Packer.PackOnnx(gq, null, new QuantizeOptions(), new FileInfo(m.PathOf(m.QdqModel)).Length);
                    var rq = Evaluator.Evaluate(qq, SampleLoader.Load(gq, m.PathOf(m.TestInputs)), labels, m.Metric);
                    qdqMetric = rq.Int8Metric;
                    o.WriteLine($"   QDQ model {m.QdqModel} (scales kept): int8 {metricText} {Pct(rq.Int8Metric.Value)}"
                        + (m.QdqOrtMetric != null ? $", ONNX Runtime on the same model {Pct(m.QdqOrtMetric.Value)}" : "") + $", blob {qq.Pack.Blob.Length:N0} B");
                }
                o.WriteLine();
                lines.Add(Json(w =>
                {
                    w.WriteString("model", m.Name);
                    w.WriteString("metric", m.MetricName);
                    w.WriteNumber("float_metric", Math.Round(r.FloatMetric.Value, 6));
                    w.WriteNumber("int8_metric", Math.Round(r.Int8Metric.Value, 6));
                    w.WriteNumber("blob_bytes", q.Pack.Blob.Length);
                    w.WriteNumber("arena_bytes", q.Pack.Model.ArenaBytes);
                    w.WriteNumber("median_us", Math.Round(median, 2));
                    w.WriteNumber("test_samples", r.Samples);
                    w.WriteNumber("calibration_samples", calib.Count);
                    w.WriteNumber("top1_agreement", Math.Round(r.Top1Agreement, 6));
                    w.WriteNumber("output_sqnr_db", Math.Round(Finite(r.OutputError.SqnrDb), 3));
                    w.WriteNumber("onnx_bytes", q.Pack.SourceBytes);
                    w.WriteNumber("allocated_bytes_per_invoke", (double)allocated / iterations);
                    if (qdqMetric != null) w.WriteNumber("qdq_int8_metric", Math.Round(qdqMetric.Value, 6));
                }));
            }
            if (json) foreach (var l in lines) o.WriteLine(l);
            if (failures > 0)
            {
                err.WriteLine($"mote demo: {failures} sample(s) whose float results differ from the training framework's");
                return 1;
            }
            return 0;
        }

        static string Indent(string s) => string.Join("\n", s.TrimEnd('\n').Split('\n').Select(l => "   " + l)) + "\n";

        static double Bench(Model model, float[][] input, FloatGraph g, QuantizeResult q, int iterations, out long allocated)
        {
            var runner = new Int8Runner(g, q.Quantized, q.Pack);
            runner.SetInputs(input);
            var it = runner.Interpreter;
            for (int i = 0; i < 10; i++) it.Invoke();
            var times = new double[iterations];
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < iterations; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                it.Invoke();
                times[i] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Array.Sort(times);
            return times[iterations / 2];
        }
    }
}
