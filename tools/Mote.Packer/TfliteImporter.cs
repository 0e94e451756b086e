using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Graph;
using Mote.Packer.Quantization;
using Mote.Packer.Tflite;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;

namespace Mote.Packer
{
    /// <summary>
    /// Lowers a fully-integer int8 TensorFlow Lite model to a <see cref="PackGraph"/>: maps tensors,
    /// checks what TensorFlow Lite Micro's Prepare checks, and computes every requantization
    /// parameter the way TFLM's Prepare does (<see cref="TfliteQuantMath"/>), so the runtime only
    /// does integer math. Anything unsupported is rejected naming the operator index and name.
    /// </summary>
    public sealed class TfliteImporter
    {
        // TFLite BuiltinOperator codes handled here.
        const int TflAdd = 0, TflAveragePool2D = 1, TflConv2D = 3, TflDepthwiseConv2D = 4, TflFullyConnected = 9,
            TflMaxPool2D = 17, TflReshape = 22, TflSoftmax = 25;

        static readonly int[] Supported = { TflAdd, TflAveragePool2D, TflConv2D, TflDepthwiseConv2D, TflFullyConnected, TflMaxPool2D, TflReshape, TflSoftmax };

        /// <summary>Largest tensor the packer accepts (the blob's offsets are 32-bit; no MCU comes close).</summary>
        const long MaxTensorBytes = 1L << 28;

        readonly TfliteModel model;
        readonly SubGraph sub;
        readonly string file;
        readonly PackGraph graph = new();
        readonly Dictionary<int, int> tensorMap = new();

        TfliteImporter(TfliteModel model, string file)
        {
            this.model = model;
            this.file = file;
            if (model.Subgraphs.Length == 0) throw new PackException($"{file}: the model has no subgraph");
            sub = model.Subgraphs[0];
            graph.SourceName = file;
        }

        /// <summary>Parses and lowers a .tflite file's bytes.</summary>
        /// <exception cref="TfliteFormatException">the flatbuffer is malformed.</exception>
        /// <exception cref="PackException">the model is valid TFLite but not supported or inconsistent.</exception>
        public static PackGraph Import(byte[] tflite, string fileName)
        {
            return Import(TfliteModel.Parse(tflite, fileName), fileName);
        }

        public static PackGraph Import(TfliteModel model, string fileName)
        {
            var imp = new TfliteImporter(model, fileName);
            imp.Run();
            return imp.graph;
        }

        void Run()
        {
            // Reject everything unsupported up front, all at once, so the user sees the whole list.
            var unsupported = new List<string>();
            for (int i = 0; i < sub.Operators.Length; i++)
            {
                int code = BuiltinOf(sub.Operators[i]);
                if (Array.IndexOf(Supported, code) < 0)
                    unsupported.Add($"operator {i} ({OpName(sub.Operators[i])})");
            }
            if (unsupported.Count > 0)
                throw new PackException($"{file}: {unsupported.Count} operator(s) not supported by Mote yet: {string.Join(", ", unsupported.Take(12))}"
                    + (unsupported.Count > 12 ? ", ..." : "")
                    + ". Supported: ADD, AVERAGE_POOL_2D, CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D, RESHAPE, SOFTMAX (int8).");

            graph.Inputs = sub.Inputs.Select(t => Tensor(t, "model input")).ToArray();
            var written = new HashSet<int>(graph.Inputs);
            for (int i = 0; i < sub.Operators.Length; i++)
            {
                PackOperator op;
                try
                {
                    op = Lower(i, sub.Operators[i]);
                }
                catch (Exception e) when (e is ArgumentException or OverflowException or ArithmeticException)
                {
                    // The requantization math refuses scales TFLM's Prepare would also refuse.
                    throw new PackException($"{file}: operator {i} ({OpName(sub.Operators[i])}): quantization parameters are out of range: {e.Message}", e);
                }
                foreach (int t in op.Inputs)
                    if (t >= 0 && !graph.Tensors[t].IsConstant && !written.Contains(t))
                        throw new PackException($"{file}: operator {i} ({op.Name}) reads {graph.Tensors[t].Describe} before any operator writes it");
                foreach (int t in op.Outputs) written.Add(t);
                graph.Operators.Add(op);
            }
            graph.Outputs = sub.Outputs.Select(t => Tensor(t, "model output")).ToArray();
            foreach (int t in graph.Outputs)
                if (!written.Contains(t))
                    throw new PackException($"{file}: model output {graph.Tensors[t].Describe} is never written by an operator");
        }

        int BuiltinOf(TfliteOperator op) => model.OperatorCodes[op.OpcodeIndex].BuiltinCode;

        string OpName(TfliteOperator op)
        {
            var oc = model.OperatorCodes[op.OpcodeIndex];
            return string.IsNullOrEmpty(oc.CustomCode) ? BuiltinOperators.Name(oc.BuiltinCode) : "CUSTOM:" + oc.CustomCode;
        }

        // ------------------------------------------------------------------ tensors

        int Tensor(int tfl, string role)
        {
            if (tfl < 0 || tfl >= sub.Tensors.Length)
                throw new PackException($"{file}: {role} refers to tensor {tfl}, outside 0..{sub.Tensors.Length - 1}");
            if (tensorMap.TryGetValue(tfl, out int existing)) return existing;
            var src = sub.Tensors[tfl];
            var t = new PackTensor
            {
                DataType = MapType(src, role),
                Shape = src.Shape ?? Array.Empty<int>(),
                Name = src.Name ?? "",
                SourceIndex = tfl,
            };
            string what = $"{file}: {role} tensor {tfl} '{t.Name}'";
            if (t.Shape.Length > BlobFormat.MaxRank)
                throw new PackException($"{what} has rank {t.Shape.Length}; at most {BlobFormat.MaxRank} is supported");
            long elements = 1;
            foreach (int d in t.Shape)
            {
                if (d < 1) throw new PackException($"{what} has dimension {d}; dynamic or empty shapes are not supported");
                elements *= d;
                if (elements > MaxTensorBytes) throw new PackException($"{what} shape {t.ShapeText} is larger than {MaxTensorBytes} elements");
            }
            if (elements * DataType.Size(t.DataType) > MaxTensorBytes)
                throw new PackException($"{what} shape {t.ShapeText} needs more than {MaxTensorBytes} bytes");
            var q = src.Quantization;
            if (q != null && q.Scale != null && q.Scale.Length > 0)
            {
                foreach (float s in q.Scale)
                    if (!(s > 0) || float.IsInfinity(s))
                        throw new PackException($"{what} has quantization scale {s}; scales must be finite and positive");
                t.Scales = q.Scale;
                if (q.ZeroPoint != null && q.ZeroPoint.Length > 0)
                {
                    long zp = q.ZeroPoint[0];
                    long lo = t.DataType == DataType.Int8 ? -128 : t.DataType == DataType.Int16 ? -32768 : int.MinValue;
                    long hi = t.DataType == DataType.Int8 ? 127 : t.DataType == DataType.Int16 ? 32767 : int.MaxValue;
                    if (zp < lo || zp > hi)
                        throw new PackException($"{what} has zero point {zp}, outside the {DataType.Name(t.DataType)} range");
                    t.ZeroPoint = (int)zp;
                    if (q.ZeroPoint.Any(z => z != q.ZeroPoint[0]))
                        throw new PackException($"{what} has per-channel zero points that differ; only symmetric per-channel weights are supported");
                }
            }
            var buffer = src.Buffer > 0 && src.Buffer < model.Buffers.Length ? model.Buffers[src.Buffer] : null;
            if (buffer != null && buffer.Data != null && buffer.Data.Length > 0)
            {
                if (buffer.Data.Length != t.Bytes)
                    throw new PackException($"{file}: tensor {tfl} '{t.Name}' has {buffer.Data.Length} bytes of data but its shape {t.ShapeText} needs {t.Bytes}");
                t.Data = buffer.Data;
            }
            if (src.IsVariable)
                throw new PackException($"{file}: tensor {tfl} '{t.Name}' is a variable (state) tensor; stateful models are not supported yet");
            graph.AddTensor(t);
            tensorMap[tfl] = t.Index;
            return t.Index;
        }

        int MapType(TfliteTensor src, string role)
        {
            switch (src.Type)
            {
                case TensorType.INT8: return DataType.Int8;
                case TensorType.INT16: return DataType.Int16;
                case TensorType.INT32: return DataType.Int32;
                case TensorType.FLOAT32: return DataType.Float32;
                case TensorType.UINT8: return DataType.UInt8;
                case TensorType.INT64: return DataType.Int64;
                default:
                    throw new PackException($"{file}: {role} tensor '{src.Name}' has type {src.Type}, which Mote does not support");
            }
        }

        // ------------------------------------------------------------------ operators

        PackOperator Lower(int index, TfliteOperator src)
        {
            int code = BuiltinOf(src);
            var op = new PackOperator { SourceIndex = index, SourceBuiltinCode = code, SourceName = OpName(src) };
            string where = $"{file}: operator {index} ({op.SourceName})";
            int Input(int k, bool optional = false)
            {
                if (k >= src.Inputs.Length || src.Inputs[k] < 0)
                {
                    if (optional) return -1;
                    throw new PackException($"{where}: input {k} is missing");
                }
                return Tensor(src.Inputs[k], $"operator {index} input {k}");
            }
            if (src.Outputs.Length != 1) throw new PackException($"{where}: has {src.Outputs.Length} outputs, expected 1");
            int output = Tensor(src.Outputs[0], $"operator {index} output");
            op.Outputs = new[] { output };
            var o = graph.Tensors[output];

            switch (code)
            {
                case TflConv2D:
                case TflDepthwiseConv2D:
                    LowerConv(op, where, code == TflDepthwiseConv2D, Input(0), Input(1), Input(2, true), o, src.BuiltinOptions);
                    break;
                case TflFullyConnected:
                    LowerFullyConnected(op, where, Input(0), Input(1), Input(2, true), o, src.BuiltinOptions as FullyConnectedOptions);
                    break;
                case TflAdd:
                    LowerAdd(op, where, Input(0), Input(1), o, src.BuiltinOptions as AddOptions);
                    break;
                case TflAveragePool2D:
                case TflMaxPool2D:
                    LowerPool(op, where, code == TflMaxPool2D, Input(0), o, src.BuiltinOptions as Pool2DOptions);
                    break;
                case TflSoftmax:
                    LowerSoftmax(op, where, Input(0), o, src.BuiltinOptions as SoftmaxOptions);
                    break;
                case TflReshape:
                {
                    int input = Input(0);
                    var i = graph.Tensors[input];
                    if (i.Bytes != o.Bytes || i.DataType != o.DataType)
                        throw new PackException($"{where}: input {i.Describe} and output {o.Describe} differ in size or type");
                    if (i.IsConstant)
                        throw new PackException($"{where}: reshaping a constant tensor is not supported");
                    op.Code = OpCode.Reshape;
                    op.Inputs = new[] { input };
                    break;
                }
            }
            return op;
        }

        void RequireInt8(string where, PackTensor t, string role)
        {
            if (t.DataType != DataType.Int8)
                throw new PackException($"{where}: {role} {t.Describe} must be int8 (fully-integer quantized model); int16 activations are a later Mote feature");
            if (t.Scales.Length == 0)
                throw new PackException($"{where}: {role} {t.Describe} has no quantization scale");
        }

        void RequireConstant(string where, PackTensor t, string role)
        {
            if (!t.IsConstant) throw new PackException($"{where}: {role} {t.Describe} must be a constant (weights computed at runtime are not supported)");
        }

        void RequireRank(string where, PackTensor t, string role, int rank)
        {
            if (t.Shape.Length != rank) throw new PackException($"{where}: {role} {t.Describe} must have rank {rank}");
        }

        static int FusedActivation(string where, int f)
        {
            if (f < 0 || f > 3) throw new PackException($"{where}: fused activation {f} is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)");
            return f;
        }

        void Bias(string where, int bias, int channels)
        {
            if (bias < 0) return;
            var b = graph.Tensors[bias];
            if (b.DataType != DataType.Int32) throw new PackException($"{where}: bias {b.Describe} must be int32");
            RequireConstant(where, b, "bias");
            if (b.ElementCount != channels) throw new PackException($"{where}: bias {b.Describe} has {b.ElementCount} elements, expected {channels}");
        }

        /// <summary>TFLM's ComputePaddingHeightWidth for one axis: output extent and leading pad.</summary>
        static (int output, int pad) Padding(int padding, int input, int filter, int stride, int dilation)
        {
            int effective = (filter - 1) * dilation + 1;
            int output = padding == 0 /* SAME */ ? (input + stride - 1) / stride : (input - effective + stride) / stride;
            int total = Math.Max((output - 1) * stride + effective - input, 0);
            return (output, total / 2);
        }

        (int padTop, int padLeft) SpatialCheck(string where, int padding, PackTensor input, PackTensor output, int fh, int fw, int sh, int sw, int dh, int dw)
        {
            if (padding != 0 && padding != 1) throw new PackException($"{where}: padding {padding} is neither SAME nor VALID");
            if (sh < 1 || sw < 1 || dh < 1 || dw < 1) throw new PackException($"{where}: strides ({sh},{sw}) and dilations ({dh},{dw}) must be >= 1");
            var (oh, pt) = Padding(padding, input.Shape[1], fh, sh, dh);
            var (ow, pl) = Padding(padding, input.Shape[2], fw, sw, dw);
            if (oh != output.Shape[1] || ow != output.Shape[2] || oh < 1 || ow < 1)
                throw new PackException($"{where}: output {output.Describe} does not match the {oh}x{ow} that {(padding == 0 ? "SAME" : "VALID")} padding gives for input {input.ShapeText}");
            return (pt, pl);
        }

        void LowerConv(PackOperator op, string where, bool depthwise, int inputIdx, int filterIdx, int biasIdx, PackTensor o, object options)
        {
            var i = graph.Tensors[inputIdx];
            var f = graph.Tensors[filterIdx];
            RequireInt8(where, i, "input");
            RequireInt8(where, f, "filter");
            RequireInt8(where, o, "output");
            RequireConstant(where, f, "filter");
            RequireRank(where, i, "input", 4);
            RequireRank(where, f, "filter", 4);
            RequireRank(where, o, "output", 4);
            if (f.ZeroPoint != 0) throw new PackException($"{where}: filter {f.Describe} has zero point {f.ZeroPoint}; int8 weights must be symmetric (zero point 0)");
            int padding, sh, sw, dh, dw, act, mult = 1;
            if (depthwise)
            {
                var d = options as DepthwiseConv2DOptions ?? throw new PackException($"{where}: missing DepthwiseConv2DOptions");
                (padding, sh, sw, dh, dw, act) = ((int)d.Padding, d.StrideH, d.StrideW, d.DilationHFactor, d.DilationWFactor, (int)d.FusedActivationFunction);
                if (f.Shape[0] != 1) throw new PackException($"{where}: depthwise filter {f.Describe} must be [1,KH,KW,C]");
                if (o.Shape[3] % i.Shape[3] != 0 || f.Shape[3] != o.Shape[3])
                    throw new PackException($"{where}: output channels {o.Shape[3]} are not a multiple of input channels {i.Shape[3]} matching filter {f.ShapeText}");
                mult = o.Shape[3] / i.Shape[3];
            }
            else
            {
                var c = options as Conv2DOptions ?? throw new PackException($"{where}: missing Conv2DOptions");
                (padding, sh, sw, dh, dw, act) = ((int)c.Padding, c.StrideH, c.StrideW, c.DilationHFactor, c.DilationWFactor, (int)c.FusedActivationFunction);
                if (f.Shape[3] != i.Shape[3] || f.Shape[0] != o.Shape[3])
                    throw new PackException($"{where}: filter {f.Describe} does not match input channels {i.Shape[3]} / output channels {o.Shape[3]}");
            }
            if (i.Shape[0] != o.Shape[0]) throw new PackException($"{where}: batch of input {i.ShapeText} and output {o.ShapeText} differ");
            act = FusedActivation(where, act);
            var (pt, pl) = SpatialCheck(where, padding, i, o, f.Shape[1], f.Shape[2], sh, sw, dh, dw);
            int channels = o.Shape[3];
            if (f.Scales.Length != 1 && f.Scales.Length != channels)
                throw new PackException($"{where}: filter {f.Describe} has {f.Scales.Length} scales; expected 1 or {channels} (one per output channel)");
            Bias(where, biasIdx, channels);
            var mults = new int[channels];
            var shifts = new int[channels];
            TfliteQuantMath.ConvPerChannel(i.Scales[0], f.Scales, o.Scales[0], channels, mults, shifts);
            TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, out int amin, out int amax);
            op.Code = depthwise ? OpCode.DepthwiseConv2D : OpCode.Conv2D;
            op.Inputs = new[] { inputIdx, filterIdx, biasIdx };
            op.Params = new[] { sh, sw, dh, dw, pt, pl, -i.ZeroPoint, o.ZeroPoint, amin, amax, mult, 0, 0 };
            op.Multipliers = mults; op.MultiplierWord = 11;
            op.Shifts = shifts; op.ShiftWord = 12;
            op.Macs = (long)o.Shape[0] * o.Shape[1] * o.Shape[2] * channels * f.Shape[1] * f.Shape[2] * (depthwise ? 1 : i.Shape[3]);
        }

        void LowerFullyConnected(PackOperator op, string where, int inputIdx, int filterIdx, int biasIdx, PackTensor o, FullyConnectedOptions options)
        {
            var i = graph.Tensors[inputIdx];
            var f = graph.Tensors[filterIdx];
            if (options == null) throw new PackException($"{where}: missing FullyConnectedOptions");
            RequireInt8(where, i, "input");
            RequireInt8(where, f, "filter");
            RequireInt8(where, o, "output");
            RequireConstant(where, f, "filter");
            RequireRank(where, f, "filter", 2);
            if ((int)options.WeightsFormat != 0) throw new PackException($"{where}: shuffled weights format {options.WeightsFormat} is not supported");
            int depth = f.Shape[1], outDepth = f.Shape[0];
            if (i.ElementCount % depth != 0)
                throw new PackException($"{where}: input {i.Describe} is not a whole number of rows of length {depth}");
            long batches = i.ElementCount / depth;
            if (batches * outDepth != o.ElementCount)
                throw new PackException($"{where}: output {o.Describe} should have {batches}x{outDepth} elements");
            if (f.Scales.Length != 1 && f.Scales.Length != outDepth)
                throw new PackException($"{where}: filter {f.Describe} has {f.Scales.Length} scales; expected 1 or {outDepth}");
            Bias(where, biasIdx, outDepth);
            int act = FusedActivation(where, (int)options.FusedActivationFunction);
            var mults = new int[outDepth];
            var shifts = new int[outDepth];
            TfliteQuantMath.FullyConnected(i.Scales[0], f.Scales, o.Scales[0], outDepth, mults, shifts);
            TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, out int amin, out int amax);
            op.Code = OpCode.FullyConnected;
            op.Inputs = new[] { inputIdx, filterIdx, biasIdx };
            op.Params = new[] { -i.ZeroPoint, -f.ZeroPoint, o.ZeroPoint, amin, amax, 0, 0 };
            op.Multipliers = mults; op.MultiplierWord = 5;
            op.Shifts = shifts; op.ShiftWord = 6;
            op.Macs = batches * outDepth * depth;
        }

        void LowerAdd(PackOperator op, string where, int aIdx, int bIdx, PackTensor o, AddOptions options)
        {
            var a = graph.Tensors[aIdx];
            var b = graph.Tensors[bIdx];
            RequireInt8(where, a, "input 1");
            RequireInt8(where, b, "input 2");
            RequireInt8(where, o, "output");
            if (a.Shape.Length > 4 || b.Shape.Length > 4 || o.Shape.Length > 4)
                throw new PackException($"{where}: ADD supports up to 4 dimensions");
            int act = FusedActivation(where, options == null ? 0 : (int)options.FusedActivationFunction);
            var p = new AddParams();
            TfliteQuantMath.Add(a.Scales[0], a.ZeroPoint, b.Scales[0], b.ZeroPoint, o.Scales[0], o.ZeroPoint, act, p);
            // Shapes are checked again (and broadcast flags derived) by the runtime's loader.
            int ra = a.Shape.Length, rb = b.Shape.Length, ro = o.Shape.Length;
            for (int k = 1; k <= 4; k++)
            {
                int da = k <= ra ? a.Shape[ra - k] : 1, db = k <= rb ? b.Shape[rb - k] : 1, dout = k <= ro ? o.Shape[ro - k] : 1;
                if ((da != dout && da != 1) || (db != dout && db != 1))
                    throw new PackException($"{where}: shapes {a.ShapeText} and {b.ShapeText} do not broadcast to {o.ShapeText}");
            }
            op.Code = OpCode.Add;
            op.Inputs = new[] { aIdx, bIdx };
            op.Params = new[] { p.LeftShift, p.Input1Offset, p.Input1Multiplier, p.Input1Shift, p.Input2Offset, p.Input2Multiplier, p.Input2Shift,
                p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax };
        }

        void LowerPool(PackOperator op, string where, bool max, int inputIdx, PackTensor o, Pool2DOptions options)
        {
            var i = graph.Tensors[inputIdx];
            if (options == null) throw new PackException($"{where}: missing Pool2DOptions");
            RequireInt8(where, i, "input");
            RequireInt8(where, o, "output");
            RequireRank(where, i, "input", 4);
            RequireRank(where, o, "output", 4);
            // TFLM's pooling Prepare requires identical input and output quantization.
            if (Math.Abs(i.Scales[0] - o.Scales[0]) > 1e-6 || i.ZeroPoint != o.ZeroPoint)
                throw new PackException($"{where}: input and output quantization differ (scale {i.Scales[0]} vs {o.Scales[0]}, zero point {i.ZeroPoint} vs {o.ZeroPoint}); TFLite pooling requires them equal");
            if (i.Shape[0] != o.Shape[0] || i.Shape[3] != o.Shape[3])
                throw new PackException($"{where}: output {o.Describe} must keep the batch and channels of input {i.Describe}");
            int act = FusedActivation(where, (int)options.FusedActivationFunction);
            var (pt, pl) = SpatialCheck(where, (int)options.Padding, i, o, options.FilterHeight, options.FilterWidth, options.StrideH, options.StrideW, 1, 1);
            TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, out int amin, out int amax);
            op.Code = max ? OpCode.MaxPool2D : OpCode.AveragePool2D;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { options.FilterHeight, options.FilterWidth, options.StrideH, options.StrideW, pt, pl, amin, amax };
        }

        void LowerSoftmax(PackOperator op, string where, int inputIdx, PackTensor o, SoftmaxOptions options)
        {
            var i = graph.Tensors[inputIdx];
            RequireInt8(where, i, "input");
            RequireInt8(where, o, "output");
            if (i.ElementCount != o.ElementCount || i.Shape.Length == 0)
                throw new PackException($"{where}: input {i.Describe} and output {o.Describe} differ");
            // TFLM's softmax Prepare: int8 output must use zero point -128 and scale 1/256.
            if (o.ZeroPoint != -128 || Math.Abs(o.Scales[0] - 1f / 256) > 0.001f / 256)
                throw new PackException($"{where}: output {o.Describe} must have scale 1/256 and zero point -128 (has {o.Scales[0]}, {o.ZeroPoint})");
            float beta = options == null ? 1f : options.Beta;
            if (!(beta > 0) || float.IsInfinity(beta)) throw new PackException($"{where}: beta {beta} must be finite and positive");
            var p = new SoftmaxParams();
            TfliteQuantMath.Softmax(beta, i.Scales[0], p);
            op.Code = OpCode.Softmax;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { p.InputMultiplier, p.InputLeftShift, p.DiffMin };
        }
    }
}
