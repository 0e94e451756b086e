using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Float;
using Mote.Packer.Tflite;

namespace Mote.Packer.Quantization
{
    /// <summary>The int8 parameters chosen for one activation tensor, and why.</summary>
    public sealed class ActivationQuant
    {
        public int Tensor;
        /// <summary>How the range was chosen; meaningless when <see cref="Fixed"/> is set.</summary>
        public RangeMethod Method;
        public QuantRange Range;
        public float Scale;
        public int ZeroPoint;
        /// <summary>Non-empty when an operator or the source model fixes the parameters ("SOFTMAX output", "QDQ", "tied to …").</summary>
        public string Fixed = "";
        /// <summary>int16 activation (symmetric, zero point 0, min-max range; TFLite's 16x8 mode) instead of int8.</summary>
        public bool Int16;

        public string How => Fixed.Length > 0 ? Fixed : Int16 ? "int16 min-max" : Method switch
        {
            RangeMethod.MinMax => "min-max",
            RangeMethod.Percentile => "percentile",
            RangeMethod.Mse => "mse",
            _ => Method.ToString(),
        };
    }

    /// <summary>A quantized model: TensorFlow Lite int8 semantics, ready for <see cref="TfliteImporter"/>.</summary>
    public sealed class QuantizedModel
    {
        public TfliteModel Tflite;
        /// <summary>For each float tensor, its tensor index in <see cref="Tflite"/> (−1 if it has none).</summary>
        public int[] TfliteIndex;
        public ActivationQuant[] Activations;
    }

    /// <summary>
    /// Post-training quantization to TensorFlow Lite's int8 contract: weights symmetric int8 per
    /// output channel (zero point 0, scale = max|w| / 127), bias int32 with scale input × weight
    /// scale, activations asymmetric int8 from a calibrated range. Operators whose int8 kernels
    /// require it share their input's parameters (pooling, reshape, pad, concatenation, ReLU) or use
    /// fixed ones (SOFTMAX and LOGISTIC: 1/256, −128; TANH: 1/128, 0). The result is an in-memory
    /// TFLite model, so the same importer, checks and runtime as for a .tflite file apply.
    /// </summary>
    public static class Quantizer
    {
        /// <summary>
        /// Chooses every activation tensor's int8 parameters: from the QDQ scales when the source fixed
        /// them, from operator constraints, or from the calibration statistics by <paramref name="methods"/>
        /// (per tensor; tensors tied together take the union of their ranges).
        /// </summary>
        public static ActivationQuant[] AssignActivations(FloatGraph g, TensorStats[] stats, Func<int, RangeMethod> methods, double percentile, Func<int, bool> int16 = null)
        {
            var groups = TieGroups(g);
            var result = new ActivationQuant[g.Tensors.Count];
            foreach (var members in groups)
            {
                int root = members[0];
                var fixedBy = FixedParams(g, members);
                ActivationQuant q;
                if (fixedBy != null)
                {
                    var (scale, zp, why) = fixedBy.Value;
                    q = new ActivationQuant { Scale = scale, ZeroPoint = zp, Fixed = why, Range = new QuantRange((-128 - zp) * scale, (127 - zp) * scale) };
                }
                else if (int16 != null && int16(root))
                {
                    // TFLite's 16x8 mode: symmetric int16 over the calibrated min-max range.
                    QuantRange? range = null;
                    foreach (int t in members)
                    {
                        var s = stats?[t];
                        if (s == null || s.Count == 0) continue;
                        var r = s.Range(RangeMethod.MinMax, percentile);
                        range = range == null ? r : range.Value.Union(r);
                    }
                    if (range == null)
                        throw new PackException($"{g.SourceName}: {g.Tensors[root].Describe} has no calibration statistics");
                    var (scale, zp) = range.Value.Int16Params();
                    q = new ActivationQuant { Method = RangeMethod.MinMax, Range = range.Value, Scale = scale, ZeroPoint = zp, Int16 = true };
                }
                else
                {
                    var m = methods(root);
                    QuantRange? range = null;
                    foreach (int t in members)
                    {
                        var s = stats?[t];
                        if (s == null || s.Count == 0) continue;
                        var r = s.Range(m, percentile);
                        range = range == null ? r : range.Value.Union(r);
                    }
                    if (range == null)
                        throw new PackException($"{g.SourceName}: {g.Tensors[root].Describe} has no calibration statistics");
                    var (scale, zp) = range.Value.Int8Params();
                    q = new ActivationQuant { Method = m, Range = range.Value, Scale = scale, ZeroPoint = zp };
                }
                foreach (int t in members)
                    result[t] = new ActivationQuant { Tensor = t, Method = q.Method, Range = q.Range, Scale = q.Scale, ZeroPoint = q.ZeroPoint, Fixed = q.Fixed, Int16 = q.Int16 };
            }
            return result;
        }

        /// <summary>
        /// Groups of activation tensors that must share int8 parameters, each group ordered so that
        /// its first member is the earliest tensor. Singletons included.
        /// </summary>
        public static List<List<int>> TieGroups(FloatGraph g)
        {
            var parent = Enumerable.Range(0, g.Tensors.Count).ToArray();
            int Find(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
            void Union(int a, int b) { a = Find(a); b = Find(b); if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b); }
            foreach (var op in g.Ops)
            {
                switch (op.Kind)
                {
                    case FloatOpKind.MaxPool2D:
                    case FloatOpKind.AveragePool2D:
                    case FloatOpKind.Reshape:
                    case FloatOpKind.Pad:
                    case FloatOpKind.Relu6:
                        // TFLM's PAD copies input bytes and RELU6 clamps them without requantizing: the
                        // output must use the input's parameters. (RELU and LEAKY_RELU requantize.)
                        Union(op.Inputs[0], op.Outputs[0]);
                        break;
                    case FloatOpKind.Concatenation:
                        // An input whose parameters are fixed elsewhere (LOGISTIC/TANH/SOFTMAX output, QDQ)
                        // keeps them and is requantized onto the output by a QUANTIZE op instead.
                        foreach (int t in op.Inputs)
                            if (!g.Tensors[t].IsConstant && !IsFixed(g, new List<int> { t })) Union(t, op.Outputs[0]);
                        break;
                }
            }
            var groups = new Dictionary<int, List<int>>();
            foreach (var t in g.Tensors)
            {
                if (t.IsConstant) continue;
                int r = Find(t.Index);
                if (!groups.TryGetValue(r, out var list)) groups[r] = list = new List<int>();
                list.Add(t.Index);
            }
            return groups.Values.OrderBy(l => l[0]).ToList();
        }

        /// <summary>
        /// Whether a tie group can hold int16 activations: its parameters are not fixed, and every
        /// member is a model input or the output of an operator Mote runs with int16 activations
        /// (CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED 16x8, ADD, MUL, LEAKY_RELU, MAX/AVERAGE_POOL_2D,
        /// RESHAPE, PAD). Other operators
        /// keep int8 outputs; their int16 inputs are converted by QUANTIZE.
        /// </summary>
        public static bool CanBeInt16(FloatGraph g, List<int> members)
        {
            if (IsFixed(g, members)) return false;
            foreach (int t in members)
            {
                var p = g.Producer(t);
                if (p != null && p.Kind is not (FloatOpKind.Conv2D or FloatOpKind.DepthwiseConv2D or FloatOpKind.FullyConnected
                    or FloatOpKind.Add or FloatOpKind.Mul or FloatOpKind.LeakyRelu or FloatOpKind.MaxPool2D
                    or FloatOpKind.AveragePool2D or FloatOpKind.Reshape or FloatOpKind.Pad))
                    return false;
            }
            return true;
        }

        /// <summary>True when an operator or the source model fixes the group's parameters (no range to choose).</summary>
        public static bool IsFixed(FloatGraph g, List<int> members) => FixedParams(g, members) != null;

        static (float scale, int zp, string why)? FixedParams(FloatGraph g, List<int> members)
        {
            (float, int, string)? found = null;
            foreach (int t in members)
            {
                (float, int, string)? f = null;
                var producer = g.Producer(t);
                if (producer != null && producer.Kind is FloatOpKind.Softmax or FloatOpKind.Logistic)
                    f = (1f / 256, -128, producer.Name + " output");
                else if (producer != null && producer.Kind == FloatOpKind.Tanh)
                    f = (1f / 128, 0, "TANH output");
                else if (g.Tensors[t].Quant != null && g.Tensors[t].Quant.Scales.Length == 1)
                    f = (g.Tensors[t].Quant.Scales[0], g.Tensors[t].Quant.ZeroPoint, "QDQ " + g.Tensors[t].Quant.Source);
                if (f == null) continue;
                if (found != null && (Math.Abs(found.Value.Item1 - f.Value.Item1) > 1e-7f * found.Value.Item1 || found.Value.Item2 != f.Value.Item2))
                    throw new PackException($"{g.SourceName}: {g.Tensors[t].Describe} must share int8 parameters with tensors fixed to "
                        + $"scale {found.Value.Item1} / zero point {found.Value.Item2} ({found.Value.Item3}) but is fixed to {f.Value.Item1} / {f.Value.Item2} ({f.Value.Item3})");
                found = f;
            }
            return found;
        }

        /// <summary>Builds the int8 TFLite model for <paramref name="g"/> with the given activation parameters.</summary>
        /// <param name="biasCorrection">
        /// When given (calibration statistics), each convolution's and fully connected layer's bias
        /// absorbs the mean error its weight rounding causes: b'_c = b_c − Σ_k (ŵ_ck − w_ck)·E[x_k],
        /// with ŵ the dequantized int8 weights and E[x] the calibration mean of each input channel.
        /// </param>
        /// <param name="int16Interface">
        /// Model inputs and outputs as int16 (symmetric) instead of int8. Where a boundary tensor's own
        /// type differs, a QUANTIZE op converts between the interface tensor and it.
        /// </param>
        public static QuantizedModel Build(FloatGraph g, ActivationQuant[] act, TensorStats[] biasCorrection = null, bool int16Interface = false)
        {
            return new Builder(g, act, biasCorrection, int16Interface).Run();
        }

        /// <summary>
        /// The bias shift of empirical bias correction for one layer: Σ_k (ŵ_ck − w_ck)·E[x_k] per output channel.
        /// Conv weights are OHWI, depthwise [1, KH, KW, C·M], fully connected [O, K]; <paramref name="inputMeans"/> has one value per input channel.
        /// </summary>
        public static float[] WeightRoundingShift(float[] w, int[] shape, bool depthwise, sbyte[] q, float[] scales, double[] inputMeans)
        {
            int outC = depthwise ? shape[^1] : shape[0];
            int mult = depthwise ? outC / inputMeans.Length : 1;
            var shift = new double[outC];
            int per = w.Length / outC;
            for (int i = 0; i < w.Length; i++)
            {
                int c = depthwise ? i % outC : i / per;
                int k = depthwise ? c / mult : i % inputMeans.Length;
                double err = q[i] * (double)scales[scales.Length == 1 ? 0 : c] - w[i];
                shift[c] += err * inputMeans[k];
            }
            return shift.Select(x => (float)x).ToArray();
        }

        /// <summary>Per-channel symmetric int8: scale_c = max|w_c| / 127, q = round(w / scale_c).</summary>
        public static (sbyte[] q, float[] scales) QuantizeWeights(float[] w, int[] shape, int axis)
        {
            int channels = shape[axis];
            int inner = 1;
            for (int k = axis + 1; k < shape.Length; k++) inner *= shape[k];
            var maxAbs = new float[channels];
            for (int i = 0; i < w.Length; i++)
            {
                int c = i / inner % channels;
                maxAbs[c] = Math.Max(maxAbs[c], Math.Abs(w[i]));
            }
            float fallback = maxAbs.Where(m => m > 0).DefaultIfEmpty(1f).Min() / 127f;
            var scales = maxAbs.Select(m => m > 0 ? m / 127f : fallback).ToArray();
            var q = new sbyte[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                int c = i / inner % channels;
                q[i] = (sbyte)Math.Clamp(Math.Round(w[i] / scales[c], MidpointRounding.AwayFromZero), -127, 127);
            }
            return (q, scales);
        }

        /// <summary>int64 bias of a 16x8 layer: q_c = round(b_c / (inputScale × weightScale_c)).</summary>
        public static long[] QuantizeBias64(float[] b, float inputScale, float[] weightScales, string what)
        {
            var q = new long[b.Length];
            for (int c = 0; c < b.Length; c++)
            {
                double s = (double)inputScale * weightScales[weightScales.Length == 1 ? 0 : c];
                double v = Math.Round(b[c] / s, MidpointRounding.AwayFromZero);
                if (double.IsNaN(v) || Math.Abs(v) > 1L << 62)
                    throw new PackException($"{what}: bias {b[c]} of channel {c} does not fit int64 at scale {s:G4} (input scale × weight scale)");
                q[c] = (long)v;
            }
            return q;
        }

        /// <summary>int32 bias: q_c = round(b_c / (inputScale × weightScale_c)).</summary>
        public static int[] QuantizeBias(float[] b, float inputScale, float[] weightScales, string what)
        {
            var q = new int[b.Length];
            for (int c = 0; c < b.Length; c++)
            {
                double s = (double)inputScale * weightScales[weightScales.Length == 1 ? 0 : c];
                double v = Math.Round(b[c] / s, MidpointRounding.AwayFromZero);
                if (double.IsNaN(v) || Math.Abs(v) > int.MaxValue)
                    throw new PackException($"{what}: bias {b[c]} of channel {c} does not fit int32 at scale {s:G4} (input scale × weight scale)");
                q[c] = (int)v;
            }
            return q;
        }

        sealed class Builder
        {
            readonly FloatGraph g;
            readonly ActivationQuant[] act;
            readonly List<TfliteTensor> tensors = new();
            readonly List<TfliteBuffer> buffers = new() { new TfliteBuffer() };
            readonly List<TfliteOperator> ops = new();
            readonly List<OperatorCode> codes = new();
            readonly int[] index;
            readonly TensorStats[] correction;
            readonly bool int16Interface;
            readonly Dictionary<(int, bool), int> converted = new();

            public Builder(FloatGraph g, ActivationQuant[] act, TensorStats[] correction, bool int16Interface)
            {
                this.g = g;
                this.act = act;
                this.correction = correction;
                this.int16Interface = int16Interface;
                index = Enumerable.Repeat(-1, g.Tensors.Count).ToArray();
            }

            public QuantizedModel Run()
            {
                // Inputs whose own type is not the interface's: an interface tensor feeds a QUANTIZE
                // that writes the tensor the graph computes with.
                var inputs = new List<int>();
                foreach (var b in g.Inputs)
                {
                    int t = b.Tensor;
                    var q = act[t] ?? throw new PackException($"{g.SourceName}: {g.Tensors[t].Describe} has no int8 parameters");
                    if (q.Int16 == int16Interface) { inputs.Add(Activation(t)); continue; }
                    var ft = g.Tensors[t];
                    var (scale, zp) = int16Interface ? q.Range.Int16Params() : q.Range.Int8Params();
                    int io = AddTensor(ft.Name + (int16Interface ? "/int16" : "/int8"), ft.Shape, int16Interface ? TensorType.INT16 : TensorType.INT8, new[] { scale }, zp, 0, null);
                    Add(BuiltinOperator.QUANTIZE, new[] { io }, Activation(t), null);
                    inputs.Add(io);
                }
                foreach (var op in g.Ops) Emit(op);
                var outputs = g.Outputs.Select(b => As(b.Tensor, int16Interface)).ToArray();
                var sub = new SubGraph
                {
                    Tensors = tensors.ToArray(),
                    Inputs = inputs.ToArray(),
                    Outputs = outputs,
                    Operators = ops.ToArray(),
                    Name = "main",
                };
                var model = new TfliteModel
                {
                    Version = 3,
                    OperatorCodes = codes.ToArray(),
                    Subgraphs = new[] { sub },
                    Buffers = buffers.ToArray(),
                    Description = "Mote post-training quantization of " + g.SourceName,
                };
                return new QuantizedModel { Tflite = model, TfliteIndex = index, Activations = act };
            }

            int AddTensor(string name, int[] shape, TensorType type, float[] scales, int zp, int qdim, byte[] data)
            {
                int buffer = 0;
                if (data != null)
                {
                    buffer = buffers.Count;
                    buffers.Add(new TfliteBuffer { Data = data });
                }
                tensors.Add(new TfliteTensor
                {
                    Name = name,
                    Shape = shape,
                    Type = type,
                    Buffer = buffer,
                    Quantization = scales == null ? null : new QuantizationParameters
                    {
                        Scale = scales,
                        ZeroPoint = Enumerable.Repeat((long)zp, scales.Length).ToArray(),
                        QuantizedDimension = qdim,
                    },
                });
                return tensors.Count - 1;
            }

            int Activation(int t)
            {
                if (index[t] >= 0) return index[t];
                var ft = g.Tensors[t];
                var q = act[t] ?? throw new PackException($"{g.SourceName}: {ft.Describe} has no int8 parameters");
                return index[t] = AddTensor(ft.Name, ft.Shape, q.Int16 ? TensorType.INT16 : TensorType.INT8, new[] { q.Scale }, q.ZeroPoint, 0, null);
            }

            /// <summary>
            /// Activation <paramref name="t"/> as int16 or int8: itself when its own type is that, else
            /// a copy written by a QUANTIZE op (int8 ↔ int16 requantization) over the same range.
            /// </summary>
            int As(int t, bool int16)
            {
                int src = Activation(t);
                var q = act[t];
                if (q.Int16 == int16) return src;
                if (converted.TryGetValue((t, int16), out int c)) return c;
                var ft = g.Tensors[t];
                var (scale, zp) = int16 ? q.Range.Int16Params() : q.Range.Int8Params();
                c = AddTensor(ft.Name + (int16 ? "/int16" : "/int8"), ft.Shape, int16 ? TensorType.INT16 : TensorType.INT8, new[] { scale }, zp, 0, null);
                Add(BuiltinOperator.QUANTIZE, new[] { src }, c, null);
                return converted[(t, int16)] = c;
            }

            float ScaleOf(int tflite) => tensors[tflite].Quantization.Scale[0];

            /// <summary>A constant operand of ADD/MUL/CONCATENATION: per-tensor asymmetric int8 over its own range.</summary>
            int ConstantOperand(int t, ActivationQuant like = null)
            {
                if (index[t] >= 0) return index[t];
                var ft = g.Tensors[t];
                float scale; int zp;
                if (like != null) (scale, zp) = (like.Scale, like.ZeroPoint);
                else if (ft.Quant != null && ft.Quant.Scales.Length == 1) (scale, zp) = (ft.Quant.Scales[0], ft.Quant.ZeroPoint);
                else (scale, zp) = new QuantRange(ft.Data.Min(), ft.Data.Max()).Int8Params();
                var bytes = ft.Data.Select(v => (byte)(sbyte)Math.Clamp(Math.Round(v / scale, MidpointRounding.AwayFromZero) + zp, -128, 127)).ToArray();
                return index[t] = AddTensor(ft.Name, ft.Shape, TensorType.INT8, new[] { scale }, zp, 0, bytes);
            }

            readonly Dictionary<int, int> constants16 = new();

            /// <summary>A constant operand of an int16 ADD/MUL: symmetric int16 (zero point 0) over max |value|.</summary>
            int ConstantOperand16(int t)
            {
                if (constants16.TryGetValue(t, out int c)) return c;
                var ft = g.Tensors[t];
                var (scale, _) = new QuantRange(ft.Data.Min(), ft.Data.Max()).Int16Params();
                var bytes = new byte[ft.Data.Length * 2];
                for (int i = 0; i < ft.Data.Length; i++)
                {
                    short v = (short)Math.Clamp(Math.Round(ft.Data[i] / scale, MidpointRounding.AwayFromZero), -32768, 32767);
                    bytes[2 * i] = (byte)v;
                    bytes[2 * i + 1] = (byte)(v >> 8);
                }
                return constants16[t] = AddTensor(ft.Name + "/int16", ft.Shape, TensorType.INT16, new[] { scale }, 0, 0, bytes);
            }

            /// <summary>Activation <paramref name="t"/> on the given parameters: itself, or a requantized copy.</summary>
            int OnParams(int t, ActivationQuant want)
            {
                int src = Activation(t);
                var have = act[t];
                if (!have.Int16 && have.Scale == want.Scale && have.ZeroPoint == want.ZeroPoint) return src;
                var ft = g.Tensors[t];
                int copy = AddTensor(ft.Name + "/requantized", ft.Shape, TensorType.INT8, new[] { want.Scale }, want.ZeroPoint, 0, null);
                Add(BuiltinOperator.QUANTIZE, new[] { src }, copy, null);
                return copy;
            }

            int Operand(int t, bool int16) => g.Tensors[t].IsConstant ? (int16 ? ConstantOperand16(t) : ConstantOperand(t)) : As(t, int16);

            sbyte[] lastWeights;

            (int w, float[] scales) Weights(int t, int axis)
            {
                var ft = g.Tensors[t];
                sbyte[] q;
                float[] scales;
                if (ft.Quant?.Values != null)
                {
                    if (ft.Quant.ZeroPoint != 0)
                        throw new PackException($"{g.SourceName}: weights {ft.Describe} have zero point {ft.Quant.ZeroPoint}; int8 weights must be symmetric (zero point 0)");
                    if (ft.Quant.Scales.Length != 1 && ft.Quant.Axis != axis)
                        throw new PackException($"{g.SourceName}: weights {ft.Describe} are quantized along axis {ft.Quant.Axis}; per-channel scales must be along the output channels");
                    q = ft.Quant.Values.Select(v => (sbyte)Math.Clamp(v, -128, 127)).ToArray();
                    scales = ft.Quant.Scales;
                }
                else (q, scales) = QuantizeWeights(ft.Data, ft.Shape, axis);
                lastWeights = q;
                var bytes = q.Select(v => (byte)v).ToArray();
                index[t] = AddTensor(ft.Name, ft.Shape, TensorType.INT8, scales, 0, axis, bytes);
                return (index[t], scales);
            }

            /// <summary>The float bias of op <paramref name="op"/>, bias-corrected when statistics were given.</summary>
            float[] FloatBias(FOp op, float[] scales, int channels)
            {
                var b = op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? (float[])g.Tensors[op.Inputs[2]].Data.Clone() : new float[channels];
                var means = correction?[op.Inputs[0]]?.ChannelMeans;
                var wt = g.Tensors[op.Inputs[1]];
                if (means == null || wt.Quant?.Values != null) return b;
                var shift = WeightRoundingShift(wt.Data, wt.Shape, op.Kind == FloatOpKind.DepthwiseConv2D, lastWeights, scales, means);
                for (int c = 0; c < channels; c++) b[c] -= shift[c];
                return b;
            }

            int Bias(FOp op, float inputScale, float[] weightScales, int channels, string name, bool int64 = false)
            {
                int t = op.Inputs.Length > 2 ? op.Inputs[2] : -1;
                float[] b = FloatBias(op, weightScales, channels);
                if (int64)
                {
                    var q64 = QuantizeBias64(b, inputScale, weightScales, $"{g.SourceName}: {name}");
                    var bytes64 = new byte[q64.Length * 8];
                    Buffer.BlockCopy(q64, 0, bytes64, 0, bytes64.Length);
                    var scales64 = Enumerable.Range(0, channels).Select(c => (float)((double)inputScale * weightScales[weightScales.Length == 1 ? 0 : c])).ToArray();
                    return AddTensor(t >= 0 ? g.Tensors[t].Name : name + "/bias", new[] { channels }, TensorType.INT64, scales64, 0, 0, bytes64);
                }
                var q = QuantizeBias(b, inputScale, weightScales, $"{g.SourceName}: {name}");
                var bytes = new byte[q.Length * 4];
                Buffer.BlockCopy(q, 0, bytes, 0, bytes.Length);
                var scales = Enumerable.Range(0, channels).Select(c => (float)((double)inputScale * weightScales[weightScales.Length == 1 ? 0 : c])).ToArray();
                string tname = t >= 0 ? g.Tensors[t].Name : name + "/bias";
                return AddTensor(tname, new[] { channels }, TensorType.INT32, scales, 0, 0, bytes);
            }

            int Code(BuiltinOperator op)
            {
                int i = codes.FindIndex(c => c.BuiltinCode == (int)op);
                if (i >= 0) return i;
                codes.Add(new OperatorCode { BuiltinCode = (int)op, DeprecatedBuiltinCode = (sbyte)Math.Min((int)op, 127), Version = 1 });
                return codes.Count - 1;
            }

            void Add(BuiltinOperator code, int[] inputs, int output, object options)
            {
                ops.Add(new TfliteOperator { OpcodeIndex = Code(code), Inputs = inputs, Outputs = new[] { output }, BuiltinOptions = options });
            }

            /// <summary>
            /// Maps explicit padding to TFLite's SAME or VALID. Where neither reproduces it, a PAD op
            /// (zero point, i.e. real 0) is inserted before a VALID convolution; pooling cannot do that
            /// exactly, so it is refused.
            /// </summary>
            (Padding padding, int input) Spatial(FOp op, int input, int effH, int effW, bool isPool)
            {
                var x = g.Tensors[op.Inputs[0]];
                var o = g.Tensors[op.Outputs[0]];
                int ih = x.Shape[1], iw = x.Shape[2], oh = o.Shape[1], ow = o.Shape[2];
                bool zero = op.PadTop == 0 && op.PadLeft == 0 && op.PadBottom == 0 && op.PadRight == 0;
                if (zero && oh == (ih - effH + op.StrideH) / op.StrideH && ow == (iw - effW + op.StrideW) / op.StrideW)
                    return (Padding.VALID, input);
                int sameH = (ih + op.StrideH - 1) / op.StrideH, sameW = (iw + op.StrideW - 1) / op.StrideW;
                int totalH = Math.Max((sameH - 1) * op.StrideH + effH - ih, 0), totalW = Math.Max((sameW - 1) * op.StrideW + effW - iw, 0);
                if (oh == sameH && ow == sameW && op.PadTop == totalH / 2 && op.PadLeft == totalW / 2)
                    return (Padding.SAME, input);
                if (isPool)
                    throw new PackException($"{g.SourceName}: {op.Source}: padding (top {op.PadTop}, left {op.PadLeft}, bottom {op.PadBottom}, right {op.PadRight}) "
                        + $"with output {o.ShapeText} is neither TFLite SAME nor VALID, and {op.Name} cannot be padded exactly in int8; pad the input explicitly or use SAME/VALID-compatible padding");
                var padded = new[] { x.Shape[0], ih + op.PadTop + op.PadBottom, iw + op.PadLeft + op.PadRight, x.Shape[3] };
                var fed = tensors[input];
                int paddedIndex = AddTensor(x.Name + "/pad", padded, fed.Type, new[] { fed.Quantization.Scale[0] }, (int)fed.Quantization.ZeroPoint[0], 0, null);
                var pads = new[] { 0, 0, op.PadTop, op.PadBottom, op.PadLeft, op.PadRight, 0, 0 };
                var padBytes = new byte[pads.Length * 4];
                Buffer.BlockCopy(pads, 0, padBytes, 0, padBytes.Length);
                int padsIndex = AddTensor(x.Name + "/paddings", new[] { 4, 2 }, TensorType.INT32, null, 0, 0, padBytes);
                Add(BuiltinOperator.PAD, new[] { input, padsIndex }, paddedIndex, new PadOptions());
                return (Padding.VALID, paddedIndex);
            }

            static ActivationFunctionType Act(FusedActivation a) => (ActivationFunctionType)(sbyte)a;

            void Emit(FOp op)
            {
                int output = Activation(op.Outputs[0]);
                // The operator computes in its output's type; inputs of the other type are converted.
                bool wide = act[op.Outputs[0]].Int16;
                int In(int t) => As(t, wide);
                switch (op.Kind)
                {
                    case FloatOpKind.Conv2D:
                    case FloatOpKind.DepthwiseConv2D:
                    {
                        bool dw = op.Kind == FloatOpKind.DepthwiseConv2D;
                        int input = In(op.Inputs[0]);
                        var ws = g.Tensors[op.Inputs[1]].Shape;
                        var (w, scales) = Weights(op.Inputs[1], dw ? 3 : 0);
                        int channels = dw ? ws[3] : ws[0];
                        int bias = Bias(op, ScaleOf(input), scales, channels, g.Tensors[op.Outputs[0]].Name, wide);
                        var (padding, from) = Spatial(op, input, (ws[1] - 1) * op.DilationH + 1, (ws[2] - 1) * op.DilationW + 1, false);
                        object options = dw
                            ? new DepthwiseConv2DOptions { Padding = padding, StrideH = op.StrideH, StrideW = op.StrideW, DilationHFactor = op.DilationH, DilationWFactor = op.DilationW, DepthMultiplier = op.DepthMultiplier, FusedActivationFunction = Act(op.Activation) }
                            : new Conv2DOptions { Padding = padding, StrideH = op.StrideH, StrideW = op.StrideW, DilationHFactor = op.DilationH, DilationWFactor = op.DilationW, FusedActivationFunction = Act(op.Activation) };
                        Add(dw ? BuiltinOperator.DEPTHWISE_CONV_2D : BuiltinOperator.CONV_2D, new[] { from, w, bias }, output, options);
                        break;
                    }
                    case FloatOpKind.FullyConnected:
                    {
                        int input = In(op.Inputs[0]);
                        var (w, scales) = Weights(op.Inputs[1], 0);
                        int channels = g.Tensors[op.Inputs[1]].Shape[0];
                        int bias = Bias(op, ScaleOf(input), scales, channels, g.Tensors[op.Outputs[0]].Name, wide);
                        Add(BuiltinOperator.FULLY_CONNECTED, new[] { input, w, bias }, output, new FullyConnectedOptions { FusedActivationFunction = Act(op.Activation) });
                        break;
                    }
                    case FloatOpKind.Add:
                        Add(BuiltinOperator.ADD, new[] { Operand(op.Inputs[0], wide), Operand(op.Inputs[1], wide) }, output, new AddOptions { FusedActivationFunction = Act(op.Activation) });
                        break;
                    case FloatOpKind.Mul:
                        Add(BuiltinOperator.MUL, new[] { Operand(op.Inputs[0], wide), Operand(op.Inputs[1], wide) }, output, new MulOptions { FusedActivationFunction = Act(op.Activation) });
                        break;
                    case FloatOpKind.MaxPool2D:
                    case FloatOpKind.AveragePool2D:
                    {
                        var (padding, from) = Spatial(op, In(op.Inputs[0]), op.FilterH, op.FilterW, true);
                        Add(op.Kind == FloatOpKind.MaxPool2D ? BuiltinOperator.MAX_POOL_2D : BuiltinOperator.AVERAGE_POOL_2D, new[] { from }, output,
                            new Pool2DOptions { Padding = padding, StrideH = op.StrideH, StrideW = op.StrideW, FilterHeight = op.FilterH, FilterWidth = op.FilterW, FusedActivationFunction = Act(op.Activation) });
                        break;
                    }
                    case FloatOpKind.Relu: Add(BuiltinOperator.RELU, new[] { In(op.Inputs[0]) }, output, null); break;
                    case FloatOpKind.Relu6: Add(BuiltinOperator.RELU6, new[] { In(op.Inputs[0]) }, output, null); break;
                    case FloatOpKind.Logistic: Add(BuiltinOperator.LOGISTIC, new[] { In(op.Inputs[0]) }, output, null); break;
                    case FloatOpKind.Tanh: Add(BuiltinOperator.TANH, new[] { In(op.Inputs[0]) }, output, null); break;
                    case FloatOpKind.LeakyRelu: Add(BuiltinOperator.LEAKY_RELU, new[] { In(op.Inputs[0]) }, output, new LeakyReluOptions { Alpha = op.Alpha }); break;
                    case FloatOpKind.Softmax: Add(BuiltinOperator.SOFTMAX, new[] { In(op.Inputs[0]) }, output, new SoftmaxOptions { Beta = op.Beta }); break;
                    case FloatOpKind.Reshape:
                        Add(BuiltinOperator.RESHAPE, new[] { In(op.Inputs[0]) }, output, new ReshapeOptions { NewShape = g.Tensors[op.Outputs[0]].Shape });
                        break;
                    case FloatOpKind.Concatenation:
                        // TFLM requires every input on the output's scale and zero point: constants are quantized
                        // onto it, activations with other parameters go through a QUANTIZE (int8 requantize) first.
                        Add(BuiltinOperator.CONCATENATION, op.Inputs.Select(t => g.Tensors[t].IsConstant ? ConstantOperand(t, act[op.Outputs[0]]) : OnParams(t, act[op.Outputs[0]])).ToArray(),
                            output, new ConcatenationOptions { Axis = op.Axis });
                        break;
                    case FloatOpKind.Pad:
                    {
                        var bytes = new byte[op.Paddings.Length * 4];
                        Buffer.BlockCopy(op.Paddings, 0, bytes, 0, bytes.Length);
                        int pads = AddTensor(g.Tensors[op.Outputs[0]].Name + "/paddings", new[] { op.Paddings.Length / 2, 2 }, TensorType.INT32, null, 0, 0, bytes);
                        Add(BuiltinOperator.PAD, new[] { In(op.Inputs[0]), pads }, output, new PadOptions());
                        break;
                    }
                    default:
                        throw new PackException($"{g.SourceName}: {op.Source}: {op.Name} cannot be quantized yet");
                }
            }
        }
    }
}
