using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Mote.Packer;
using Mote.Runtime;
using Mote.Runtime.Format;

namespace Mote.Cli
{
    /// <summary>Human tables and JSON for pack / inspect.</summary>
    static class Report
    {
        static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        static string Shape(int[] s) => "[" + string.Join(",", s) + "]";

        public static string PackTable(PackResult r)
        {
            var g = r.Graph;
            var m = r.Model;
            var sb = new StringBuilder();
            sb.AppendLine($"{g.SourceName}: {g.Operators.Count} operators, {g.Tensors.Count} tensors");
            sb.AppendLine($"{"#",3}  {"op",-18} {"input",-16} {"output",-16} {"MACs",12} {"weights B",10} {"out arena",18}");
            long macs = 0;
            for (int i = 0; i < g.Operators.Count; i++)
            {
                var op = g.Operators[i];
                var input = g.Tensors[op.Inputs[0]];
                var output = g.Tensors[op.Outputs[0]];
                long weights = op.Inputs.Skip(1).Where(t => t >= 0 && g.Tensors[t].IsConstant).Sum(t => (long)g.Tensors[t].Bytes)
                    + Mote.Packer.Blob.BlobWriter.RequantizationTableBytes(op);
                macs += op.Macs;
                string arena = $"{output.ArenaOffset}+{output.Bytes}";
                sb.AppendLine($"{op.SourceIndex,3}  {op.Name,-18} {input.ShapeText,-16} {output.ShapeText,-16} {op.Macs,12:N0} {weights,10:N0} {arena,18}");
            }
            sb.AppendLine($"total: {macs:N0} MACs, weights and tables {m.ConstantBytes:N0} B, arena {m.ArenaBytes:N0} B (lower bound {r.ArenaLowerBound:N0} B), blob {r.Blob.Length:N0} B");
            return sb.ToString();
        }

        public static string Values(TensorView t)
        {
            var sb = new StringBuilder();
            int n = t.Info.DataType == DataType.Int8 ? t.Bytes : 0;
            for (int i = 0; i < Math.Min(n, 64); i++) sb.Append(i > 0 ? " " : "").Append(t.GetInt8(i));
            if (n > 64) sb.Append($" ... ({n} values)");
            if (n == 0) sb.Append($"({t.Bytes} bytes of {DataType.Name(t.Info.DataType)})");
            return sb.ToString();
        }

        public static string InspectText(Model m, string path)
        {
            var sb = new StringBuilder();
            sb.AppendLine($"{path}: .mote format {m.MajorVersion}.{m.MinorVersion}, {m.Length} bytes, CRC-32 0x{m.Crc:X8} (verified)");
            sb.AppendLine($"arena {m.ArenaBytes} B, weights and tables {m.ConstantBytes} B, {m.TensorCount} tensors, {m.OperatorCount} operators");
            sb.Append("inputs:");
            for (int i = 0; i < m.InputCount; i++) sb.Append($" t{m.GetInputTensorIndex(i)}");
            sb.Append("   outputs:");
            for (int i = 0; i < m.OutputCount; i++) sb.Append($" t{m.GetOutputTensorIndex(i)}");
            sb.AppendLine();
            sb.AppendLine();
            sb.AppendLine("sections:");
            for (int i = 0; i < LittleEndian.ReadInt32(m.Blob, BlobFormat.OffSectionCount); i++)
            {
                int e = BlobFormat.HeaderSize + i * BlobFormat.SectionEntrySize;
                sb.AppendLine($"  {BlobFormat.SectionName(LittleEndian.ReadInt32(m.Blob, e)),-10} offset {LittleEndian.ReadInt32(m.Blob, e + 4),8}  length {LittleEndian.ReadInt32(m.Blob, e + 8),8}  count {LittleEndian.ReadInt32(m.Blob, e + 12),8}");
            }
            sb.AppendLine();
            sb.AppendLine("tensors:");
            sb.AppendLine($"  {"#",4} {"dtype",-7} {"shape",-18} {"where",-9} {"offset",8} {"bytes",8} {"zp",5} {"scale",-12} name");
            for (int i = 0; i < m.TensorCount; i++)
            {
                var t = m.GetTensor(i);
                string scale = t.ScaleCount > 1 ? $"{t.ScaleCount} ch" : t.Scale.ToString("G6", Inv);
                sb.AppendLine($"  {i,4} {DataType.Name(t.DataType),-7} {t.ShapeText(),-18} {(t.IsConstant ? "blob" : t.IsVariable ? "state" : "arena"),-9} {t.Start,8} {t.Bytes,8} {t.ZeroPoint,5} {scale,-12} {t.Name}");
            }
            sb.AppendLine();
            sb.AppendLine("operators:");
            for (int i = 0; i < m.OperatorCount; i++)
            {
                var op = m.GetOperator(i);
                sb.AppendLine($"  {i,4} {op.Name,-18} in [{string.Join(",", op.Inputs)}] -> out [{string.Join(",", op.Outputs)}]  {Params(op)}");
            }
            return sb.ToString();
        }

        static string Params(OperatorInfo op)
        {
            switch (op.Params)
            {
                case Runtime.Kernels.ConvParams c:
                    return $"stride {c.StrideHeight}x{c.StrideWidth} dilation {c.DilationHeight}x{c.DilationWidth} pad {c.PadTop},{c.PadLeft} act [{c.ActivationMin},{c.ActivationMax}]"
                        + (op.Code == OpCode.DepthwiseConv2D ? $" multiplier {c.DepthMultiplier}" : "") + Requant(c.RequantStride);
                case Runtime.Kernels.FullyConnectedParams f:
                    return $"batches {f.Batches} depth {f.AccumDepth} -> {f.OutputDepth} act [{f.ActivationMin},{f.ActivationMax}]" + Requant(f.RequantStride);
                case Runtime.Kernels.PoolParams p:
                    return $"filter {p.FilterHeight}x{p.FilterWidth} stride {p.StrideHeight}x{p.StrideWidth} pad {p.PadTop},{p.PadLeft} act [{p.ActivationMin},{p.ActivationMax}]";
                case Runtime.Kernels.AddParams a:
                    return (a.Broadcast ? "broadcast " : "") + $"act [{a.ActivationMin},{a.ActivationMax}]";
                case Runtime.Kernels.SoftmaxParams s:
                    return $"rows {s.Rows} depth {s.Depth}";
                default:
                    return "";
            }
        }

        /// <summary>How the multiplier/shift tables are read: one entry per channel, or one shared (format 1.2).</summary>
        static string Requant(int stride) => stride == 0 ? " requant shared" : " requant per-channel";

        public static string InspectJson(Model m, string path)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("file", path);
                w.WriteString("format", $"{m.MajorVersion}.{m.MinorVersion}");
                w.WriteNumber("blob_bytes", m.Length);
                w.WriteString("crc32", $"0x{m.Crc:X8}");
                w.WriteNumber("arena_bytes", m.ArenaBytes);
                w.WriteNumber("weights_bytes", m.ConstantBytes);
                w.WriteStartArray("inputs");
                for (int i = 0; i < m.InputCount; i++) w.WriteNumberValue(m.GetInputTensorIndex(i));
                w.WriteEndArray();
                w.WriteStartArray("outputs");
                for (int i = 0; i < m.OutputCount; i++) w.WriteNumberValue(m.GetOutputTensorIndex(i));
                w.WriteEndArray();
                w.WriteStartArray("tensors");
                for (int i = 0; i < m.TensorCount; i++)
                {
                    var t = m.GetTensor(i);
                    w.WriteStartObject();
                    w.WriteNumber("index", i);
                    w.WriteString("name", t.Name);
                    w.WriteString("dtype", DataType.Name(t.DataType));
                    w.WriteStartArray("shape");
                    foreach (int d in t.Shape) w.WriteNumberValue(d);
                    w.WriteEndArray();
                    w.WriteString("storage", t.IsConstant ? "constant" : "arena");
                    if (t.IsVariable) w.WriteBoolean("variable", true);
                    w.WriteNumber("offset", t.Start);
                    w.WriteNumber("bytes", t.Bytes);
                    w.WriteNumber("zero_point", t.ZeroPoint);
                    w.WriteNumber("scale", t.Scale);
                    if (t.ScaleCount > 1) w.WriteNumber("channels", t.ScaleCount);
                    w.WriteNumber("source_index", t.SourceIndex);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("operators");
                for (int i = 0; i < m.OperatorCount; i++)
                {
                    var op = m.GetOperator(i);
                    w.WriteStartObject();
                    w.WriteNumber("index", i);
                    w.WriteString("type", op.Name);
                    w.WriteNumber("source_index", op.SourceIndex);
                    w.WriteStartArray("inputs");
                    foreach (int t in op.Inputs) w.WriteNumberValue(t);
                    w.WriteEndArray();
                    w.WriteStartArray("outputs");
                    foreach (int t in op.Outputs) w.WriteNumberValue(t);
                    w.WriteEndArray();
                    w.WriteStartArray("input_shapes");
                    foreach (int t in op.Inputs)
                    {
                        w.WriteStartArray();
                        if (t >= 0) foreach (int d in m.GetTensor(t).Shape) w.WriteNumberValue(d);
                        w.WriteEndArray();
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("output_shape");
                    foreach (int d in m.GetTensor(op.Outputs[0]).Shape) w.WriteNumberValue(d);
                    w.WriteEndArray();
                    w.WriteString("params", Params(op));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(ms.ToArray()) + Environment.NewLine;
        }
    }
}
