using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using Mote.Packer;
using Mote.Runtime;
using Mote.Runtime.Format;

namespace Mote.Cli
{
    static class Commands
    {
        static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        // ------------------------------------------------------------------ pack

        public static int Pack(Args a, TextWriter o, TextWriter err)
        {
            string input = a.Positional(0, "model file (e.g. mote pack model.tflite -o model.mote)");
            a.NoMorePositionals(1);
            if (input.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) return QuantCommands.PackOnnx(a, o, err, input);
            string output = a.Get("-o", "--output") ?? Path.ChangeExtension(input, ".mote");
            bool quiet = a.Has("--quiet");
            string profileArg = a.Get("--profile");
            a.RejectUnused();
            var profile = profileArg == null ? null : FitText.Load(profileArg);

            var result = Packer.Packer.PackFile(input);
            if (!quiet) o.Write(Report.PackTable(result));
            if (profile != null && !FitText.Check(result, profile, o, err)) return 1;
            File.WriteAllBytes(output, result.Blob);
            o.WriteLine($"wrote {output}: {result.Blob.Length} bytes (source {result.SourceBytes} bytes), arena {result.Model.ArenaBytes} bytes "
                + $"(lower bound {result.ArenaLowerBound}), CRC-32 0x{result.Model.Crc:X8}");
            return 0;
        }

        // ------------------------------------------------------------------ inspect

        static Model LoadBlob(string path)
        {
            if (!File.Exists(path)) throw new InputException($"{path}: file not found");
            try
            {
                return Model.Load(File.ReadAllBytes(path));
            }
            catch (MoteFormatException e)
            {
                throw new InputException($"{path}: {e.Message}");
            }
        }

        public static int Inspect(Args a, TextWriter o)
        {
            string path = a.Positional(0, "blob file (e.g. mote inspect model.mote)");
            a.NoMorePositionals(1);
            bool json = a.Has("--json");
            a.RejectUnused();
            var m = LoadBlob(path);
            o.Write(json ? Report.InspectJson(m, path) : Report.InspectText(m, path));
            return 0;
        }

        // ------------------------------------------------------------------ run

        static byte[] ReadInputs(string path, Model m)
        {
            if (!File.Exists(path)) throw new InputException($"{path}: input file not found");
            var bytes = File.ReadAllBytes(path);
            int need = 0;
            for (int i = 0; i < m.InputCount; i++) need += m.GetInput(i).Bytes;
            if (bytes.Length != need)
            {
                var sb = new StringBuilder();
                for (int i = 0; i < m.InputCount; i++)
                {
                    var t = m.GetInput(i);
                    sb.Append($"{(i > 0 ? " + " : "")}'{t.Name}' {DataType.Name(t.DataType)}{t.ShapeText()} = {t.Bytes}");
                }
                throw new InputException($"{path}: has {bytes.Length} bytes, the model's inputs need {need} ({sb})");
            }
            return bytes;
        }

        static void Feed(Interpreter it, byte[] inputs)
        {
            int at = 0;
            for (int i = 0; i < it.InputCount; i++)
            {
                var v = it.GetInput(i);
                v.CopyFrom(inputs, at);
                at += v.Bytes;
            }
        }

        public static int RunModel(Args a, TextWriter o)
        {
            string path = a.Positional(0, "blob file (e.g. mote run model.mote --input in.bin)");
            a.NoMorePositionals(1);
            string input = a.Get("--input") ?? throw new UsageException("--input <file> is required (raw bytes of all model inputs)");
            string output = a.Get("--output", "-o");
            string layers = a.Get("--layers");
            a.RejectUnused();

            var m = LoadBlob(path);
            var it = new Interpreter(m);
            Feed(it, ReadInputs(input, m));
            if (layers != null) Directory.CreateDirectory(layers);
            for (int i = 0; i < m.OperatorCount; i++)
            {
                it.InvokeOperator(i);
                if (layers != null)
                {
                    var op = m.GetOperator(i);
                    var t = it.GetTensor(op.Outputs[0]);
                    var buf = new byte[t.Bytes];
                    t.CopyTo(buf, 0);
                    string name = $"op{op.SourceIndex:D3}_{op.Name.ToLowerInvariant()}_t{t.Info.SourceIndex}.bin";
                    File.WriteAllBytes(Path.Combine(layers, name), buf);
                }
            }
            int total = 0;
            for (int i = 0; i < m.OutputCount; i++) total += m.GetOutput(i).Bytes;
            var all = new byte[total];
            int at = 0;
            for (int i = 0; i < m.OutputCount; i++)
            {
                it.GetOutput(i).CopyTo(all, at);
                at += it.GetOutput(i).Bytes;
            }
            if (output != null)
            {
                File.WriteAllBytes(output, all);
                o.WriteLine($"wrote {output}: {total} bytes ({m.OutputCount} output{(m.OutputCount > 1 ? "s" : "")})"
                    + (layers != null ? $"; {m.OperatorCount} layer tensors in {layers}" : ""));
            }
            else
            {
                for (int i = 0; i < m.OutputCount; i++)
                {
                    var t = it.GetOutput(i);
                    o.WriteLine($"output {i} '{t.Info.Name}' {DataType.Name(t.Info.DataType)}{t.Info.ShapeText()} scale {t.Info.Scale.ToString("G6", Inv)} zero point {t.Info.ZeroPoint}:");
                    o.WriteLine("  " + Report.Values(t));
                }
            }
            return 0;
        }

        // ------------------------------------------------------------------ bench

        public static int Bench(Args a, TextWriter o)
        {
            string path = a.Positional(0, "blob file (e.g. mote bench model.mote --json)");
            a.NoMorePositionals(1);
            int iterations = a.GetInt("--iterations", 100, 1);
            int warmup = a.GetInt("--warmup", 10, 0);
            int warmupMs = a.GetInt("--warmup-ms", 1000, 0);
            string input = a.Get("--input");
            bool json = a.Has("--json");
            string kernels = BenchKernels.Parse(a.Get("--kernels"));
            bool perOp = a.Has("--per-op");
            a.RejectUnused();

            if (!File.Exists(path)) throw new InputException($"{path}: file not found");
            byte[] blob = File.ReadAllBytes(path);
            var arena = new byte[ArenaSize(blob)];
            // Load-time state: everything Model.Load and the interpreter allocate besides the arena (which is
            // the caller's here), measured on a second load so one-time process work is not counted.
            Model m;
            try { m = Model.Load(blob); }
            catch (MoteFormatException e) { throw new InputException($"{path}: {e.Message}"); }
            GC.KeepAlive(new Interpreter(m, arena));
            // The smallest of three loads: anything the runtime itself does on this thread at a bad moment
            // (a collection, a compile) can only add bytes, never remove them.
            Interpreter it = null;
            long stateBytes = long.MaxValue;
            for (int k = 0; k < 3; k++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                m = Model.Load(blob);
                it = new Interpreter(m, arena);
                stateBytes = Math.Min(stateBytes, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            it.Kernels = BenchKernels.Create(kernels);

            if (input != null) Feed(it, ReadInputs(input, m));
            else
            {
                // Deterministic pseudo-random inputs over the full int8 range.
                var rng = new Random(1234);
                for (int i = 0; i < it.InputCount; i++)
                {
                    var v = it.GetInput(i);
                    for (int k = 0; k < v.Bytes; k++) v.Buffer[v.Start + k] = (byte)rng.Next(256);
                }
            }
            var warm = new BenchKernels.WarmUp(warmup, warmupMs);
            int warmed = warm.Run(it);
            var times = new double[iterations];
            long allocBefore = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < iterations; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                it.Invoke();
                times[i] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
            Array.Sort(times);
            double median = Percentile(times, 0.5), p90 = Percentile(times, 0.9);
            int weights = m.ConstantBytes;
            // With SIMD kernels, the reference median of the same model, inputs and process, for the ratio.
            double referenceMedian = kernels == "reference" ? median : BenchKernels.ReferenceMedian(it, warm, iterations);
            BenchKernels.OpTime[] ops = perOp ? BenchKernels.PerOp(it, warm, iterations) : null;

            if (json)
            {
                using var ms = new MemoryStream();
                using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false }))
                {
                    w.WriteStartObject();
                    w.WriteString("model", Path.GetFileName(path));
                    w.WriteString("kernels", BenchKernels.Describe(kernels));
                    w.WriteNumber("iterations", iterations);
                    w.WriteNumber("warmup_iterations", warmed);
                    w.WriteNumber("median_us", Math.Round(median, 2));
                    w.WriteNumber("p90_us", Math.Round(p90, 2));
                    w.WriteNumber("min_us", Math.Round(times[0], 2));
                    w.WriteNumber("allocated_bytes_per_invoke", (double)allocated / iterations);
                    w.WriteNumber("arena_bytes", m.ArenaBytes);
                    w.WriteNumber("state_bytes", stateBytes);
                    w.WriteNumber("ram_bytes", m.ArenaBytes + stateBytes);
                    w.WriteNumber("blob_bytes", blob.Length);
                    w.WriteNumber("weights_bytes", weights);
                    w.WriteNumber("operators", m.OperatorCount);
                    if (kernels != "reference")
                    {
                        w.WriteNumber("reference_median_us", Math.Round(referenceMedian, 2));
                        w.WriteNumber("speedup_vs_reference", Math.Round(referenceMedian / median, 2));
                    }
                    if (ops != null) BenchKernels.WriteJson(w, ops);
                    w.WriteEndObject();
                }
                o.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
            }
            else
            {
                o.WriteLine($"{Path.GetFileName(path)}: {iterations} iterations (after {warmed} warm-up invocations, {warm.ElapsedMs:F0} ms), {BenchKernels.Describe(kernels)} kernels");
                o.WriteLine($"  median {median:F1} us, p90 {p90:F1} us, min {times[0]:F1} us");
                if (kernels != "reference")
                    o.WriteLine($"  reference kernels: median {referenceMedian:F1} us; {referenceMedian / median:F2}x faster");
                if (ops != null) BenchKernels.WriteTable(o, ops);
                o.WriteLine($"  allocated per invoke: {(double)allocated / iterations:F1} bytes");
                o.WriteLine($"  arena {m.ArenaBytes} B + load-time state {stateBytes} B = {m.ArenaBytes + stateBytes} B RAM; blob {blob.Length} B (weights and tables {weights} B)");
            }
            return 0;
        }

        static int ArenaSize(byte[] blob)
        {
            // The header's arena field (validated again by Model.Load); the bench owns the arena so
            // that state_bytes counts only what the runtime itself allocates.
            if (blob.Length < BlobFormat.HeaderSize) return 0;
            int n = LittleEndian.ReadInt32(blob, BlobFormat.OffArenaBytes);
            return n < 0 || n > blob.Length * 64L + (1 << 24) ? 0 : n;
        }

        static double Percentile(double[] sorted, double p)
        {
            if (sorted.Length == 1) return sorted[0];
            double pos = p * (sorted.Length - 1);
            int lo = (int)Math.Floor(pos);
            int hi = Math.Min(lo + 1, sorted.Length - 1);
            return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
        }
    }
}
