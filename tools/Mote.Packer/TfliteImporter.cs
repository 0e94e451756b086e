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
    public sealed partial class TfliteImporter
    {
        // TFLite BuiltinOperator codes handled here.
        const int TflAdd = 0, TflAveragePool2D = 1, TflConcatenation = 2, TflConv2D = 3, TflDepthwiseConv2D = 4, TflFullyConnected = 9,
            TflDequantize = 6, TflLogistic = 14, TflMaxPool2D = 17, TflMul = 18, TflRelu = 19, TflRelu6 = 21, TflReshape = 22, TflSoftmax = 25, TflSvdf = 27,
            TflTanh = 28, TflPad = 34, TflTranspose = 39, TflMean = 40, TflSub = 41, TflSqueeze = 43, TflUnidirectionalSequenceLstm = 44, TflStridedSlice = 45,
            TflPadV2 = 60, TflTransposeConv = 67, TflLeakyRelu = 98, TflQuantize = 114, TflHardSwish = 117;

        static readonly int[] Supported =
        {
            TflAdd, TflAveragePool2D, TflConcatenation, TflConv2D, TflDepthwiseConv2D, TflFullyConnected, TflHardSwish, TflLeakyRelu,
            TflLogistic, TflMaxPool2D, TflMean, TflMul, TflPad, TflPadV2, TflQuantize, TflRelu, TflRelu6, TflReshape, TflSoftmax,
            TflSqueeze, TflSub, TflSvdf, TflTanh, TflUnidirectionalSequenceLstm, TflTransposeConv, TflDequantize, TflStridedSlice, TflTranspose,
        };

        /// <summary>The list the "not supported" message prints (keep in step with <see cref="Supported"/>).</summary>
        const string SupportedNames = "ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, FULLY_CONNECTED, HARD_SWISH, LEAKY_RELU, "
            + "LOGISTIC, MAX_POOL_2D, MEAN, MUL, PAD, PADV2, QUANTIZE, RELU, RELU6, RESHAPE, SOFTMAX, SQUEEZE, STRIDED_SLICE, SUB, SVDF (int8, int16 or int8 state), "
            + "TANH (int8), TRANSPOSE, UNIDIRECTIONAL_SEQUENCE_LSTM (int8, int16 cell state), TRANSPOSE_CONV (int8, 16x8); CONV_2D also 16x8 (int16 activations, "
            + "int8 weights); ADD, SUB, MUL, LEAKY_RELU and PAD also int16";

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
                if (Array.IndexOf(Supported, code) < 0 && !IsAudioOperator(sub.Operators[i]))
                    unsupported.Add($"operator {i} ({OpName(sub.Operators[i])})");
            }
            if (unsupported.Count > 0)
                throw new PackException($"{file}: {unsupported.Count} operator(s) not supported by Mote yet: {string.Join(", ", unsupported.Take(12))}"
                    + (unsupported.Count > 12 ? ", ..." : "")
                    + ". Supported: " + SupportedNames + ".");

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
                    if (t >= 0 && !graph.Tensors[t].IsConstant && !graph.Tensors[t].IsVariable && !written.Contains(t))
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
            {
                // State of SVDF/LSTM-style ops: TFLM ignores any initial buffer and resets it to the zero point,
                // so Mote keeps it in the arena and clears it the same way (Interpreter.ResetState).
                t.Data = null;
                t.IsVariable = true;
            }
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
                case TensorType.UINT32: return DataType.UInt32;
                case TensorType.UINT64: return DataType.UInt64;
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
            int outputs = AudioOutputCount(src);
            if (src.Outputs.Length != outputs) throw new PackException($"{where}: has {src.Outputs.Length} outputs, expected {outputs}");
            int output = Tensor(src.Outputs[0], $"operator {index} output");
            op.Outputs = outputs == 1 ? new[] { output } : new[] { output, Tensor(src.Outputs[1], $"operator {index} output 1") };
            var o = graph.Tensors[output];
            if (LowerAudio(op, where, src, k => Input(k), o)) return op;

            switch (code)
            {
                case TflConv2D:
                case TflDepthwiseConv2D:
                    LowerConv(op, where, code == TflDepthwiseConv2D, Input(0), Input(1), Input(2, true), o, src.BuiltinOptions);
                    break;
                case TflTransposeConv:
                    // TFLite's inputs: output_shape, filter, input, bias (optional).
                    LowerTransposeConv(op, where, src, Input(2), Input(1), Input(3, true), o, src.BuiltinOptions as TransposeConvOptions);
                    break;
                case TflFullyConnected:
                    LowerFullyConnected(op, where, Input(0), Input(1), Input(2, true), o, src.BuiltinOptions as FullyConnectedOptions);
                    break;
                case TflAdd:
                    LowerAdd(op, where, Input(0), Input(1), o, src.BuiltinOptions as AddOptions);
                    break;
                case TflSub:
                    LowerSub(op, where, Input(0), Input(1), o, src.BuiltinOptions as SubOptions);
                    break;
                case TflAveragePool2D:
                case TflMaxPool2D:
                    LowerPool(op, where, code == TflMaxPool2D, Input(0), o, src.BuiltinOptions as Pool2DOptions);
                    break;
                case TflSoftmax:
                    LowerSoftmax(op, where, Input(0), o, src.BuiltinOptions as SoftmaxOptions);
                    break;
                case TflMul:
                    LowerMul(op, where, Input(0), Input(1), o, src.BuiltinOptions as MulOptions);
                    break;
                case TflLogistic:
                case TflTanh:
                    LowerLogisticTanh(op, where, code == TflTanh, Input(0), o);
                    break;
                case TflLeakyRelu:
                    LowerLeakyRelu(op, where, Input(0), o, src.BuiltinOptions as LeakyReluOptions);
                    break;
                case TflRelu:
                    LowerRelu(op, where, Input(0), o);
                    break;
                case TflRelu6:
                    LowerRelu6(op, where, Input(0), o);
                    break;
                case TflPad:
                case TflPadV2:
                    LowerPad(op, where, src, Input(0), o);
                    break;
                case TflConcatenation:
                {
                    var inputs = new int[src.Inputs.Length];
                    for (int k = 0; k < inputs.Length; k++) inputs[k] = Input(k);
                    LowerConcatenation(op, where, inputs, o, src.BuiltinOptions as ConcatenationOptions);
                    break;
                }
                case TflSqueeze:
                    LowerSqueeze(op, where, Input(0), o, src.BuiltinOptions as SqueezeOptions);
                    break;
                case TflQuantize:
                    LowerQuantize(op, where, Input(0), o);
                    break;
                case TflDequantize:
                    LowerDequantize(op, where, Input(0), o);
                    break;
                case TflStridedSlice:
                    LowerStridedSlice(op, where, src, Input(0), o, src.BuiltinOptions as StridedSliceOptions);
                    break;
                case TflTranspose:
                    LowerTranspose(op, where, src, Input(0), o);
                    break;
                case TflHardSwish:
                    LowerHardSwish(op, where, Input(0), o);
                    break;
                case TflMean:
                    LowerMean(op, where, src, Input(0), o, src.BuiltinOptions as ReducerOptions);
                    break;
                case TflSvdf:
                    // TFLM's EvalSvdf reads the bias only when the operator has 5 inputs.
                    if (src.Inputs.Length != 5)
                        throw new PackException($"{where}: has {src.Inputs.Length} inputs, expected 5 (input, weights_feature, weights_time, bias or -1, state)");
                    LowerSvdf(op, where, Input(0), Input(1), Input(2), Input(3, true), Input(4), o, src.BuiltinOptions as SVDFOptions);
                    break;
                case TflUnidirectionalSequenceLstm:
                {
                    if (src.Inputs.Length != 24)
                        throw new PackException($"{where}: has {src.Inputs.Length} inputs; TFLite Micro's UNIDIRECTIONAL_SEQUENCE_LSTM needs 24 (absent ones as -1)");
                    var inputs = new int[24];
                    for (int k = 0; k < 24; k++) inputs[k] = Input(k, true);
                    LowerLstm(op, where, inputs, o, src.BuiltinOptions as UnidirectionalSequenceLSTMOptions);
                    break;
                }
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

        /// <summary>
        /// The operand rules CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV share: 4-D tensors, a constant
        /// symmetric int8 filter, and int8 activations or, with an int16 input, TFLM's 16x8 kernel (same Mote
        /// op code, chosen by dtype). Returns true for 16x8.
        /// </summary>
        bool RequireConvOperands(string where, PackTensor i, PackTensor f, PackTensor o)
        {
            bool wide = i.DataType == DataType.Int16;
            if (wide) Require16x8(where, i, o);
            else
            {
                RequireInt8(where, i, "input");
                RequireInt8(where, o, "output");
            }
            RequireInt8(where, f, "filter");
            RequireConstant(where, f, "filter");
            RequireRank(where, i, "input", 4);
            RequireRank(where, f, "filter", 4);
            RequireRank(where, o, "output", 4);
            if (f.ZeroPoint != 0) throw new PackException($"{where}: filter {f.Describe} has zero point {f.ZeroPoint}; int8 weights must be symmetric (zero point 0)");
            return wide;
        }

        void LowerConv(PackOperator op, string where, bool depthwise, int inputIdx, int filterIdx, int biasIdx, PackTensor o, object options)
        {
            var i = graph.Tensors[inputIdx];
            var f = graph.Tensors[filterIdx];
            bool wide = RequireConvOperands(where, i, f, o);
            int padding, sh, sw, dh, dw, act, mult = 1;
            TensorType quantizedBiasType = 0;
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
                quantizedBiasType = c.QuantizedBiasType;
                if (f.Shape[3] != i.Shape[3] || f.Shape[0] != o.Shape[3])
                    throw new PackException($"{where}: filter {f.Describe} does not match input channels {i.Shape[3]} / output channels {o.Shape[3]}");
            }
            if (i.Shape[0] != o.Shape[0]) throw new PackException($"{where}: batch of input {i.ShapeText} and output {o.ShapeText} differ");
            act = FusedActivation(where, act);
            var (pt, pl) = SpatialCheck(where, padding, i, o, f.Shape[1], f.Shape[2], sh, sw, dh, dw);
            int channels = o.Shape[3];
            if (f.Scales.Length != 1 && f.Scales.Length != channels)
                throw new PackException($"{where}: filter {f.Describe} has {f.Scales.Length} scales; expected 1 or {channels} (one per output channel)");
            var mults = new int[channels];
            var shifts = new int[channels];
            TfliteQuantMath.ConvPerChannel(i.Scales[0], f.Scales, o.Scales[0], channels, mults, shifts);
            int amin, amax;
            if (wide)
            {
                // TFLM's 16x8 depthwise kernel reads the bias as int64 only; CONV_2D also takes int32.
                int biasType = Bias16x8(where, biasIdx, channels, depthwise ? DataType.Int64 : DataType.Int32);
                // Without a bias TFLM picks the accumulator from quantized_bias_type; Mote's blob has no
                // word for it and runs an absent bias with the int64 accumulator.
                if (biasIdx < 0 && quantizedBiasType == TensorType.INT32)
                    throw new PackException($"{where}: int16 CONV_2D without a bias but quantized_bias_type INT32 (an int32 accumulator) is not supported");
                if (biasType != DataType.Int32) RequireShifts16x8(where, shifts);
                TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, short.MinValue, short.MaxValue, out amin, out amax);
            }
            else
            {
                Bias(where, biasIdx, channels);
                TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, out amin, out amax);
            }
            op.Code = depthwise ? OpCode.DepthwiseConv2D : OpCode.Conv2D;
            op.Inputs = new[] { inputIdx, filterIdx, biasIdx };
            op.Params = new[] { sh, sw, dh, dw, pt, pl, -i.ZeroPoint, o.ZeroPoint, amin, amax, mult, 0, 0 };
            op.Multipliers = mults; op.MultiplierWord = 11;
            op.Shifts = shifts; op.ShiftWord = 12;
            op.Macs = (long)o.Shape[0] * o.Shape[1] * o.Shape[2] * channels * f.Shape[1] * f.Shape[2] * (depthwise ? 1 : i.Shape[3]);
        }

        /// <summary>
        /// The activations of a 16x8 operator: int16 input and output with a scale and zero point 0
        /// (TFLM's 16x8 kernels apply no zero points).
        /// </summary>
        static void Require16x8(string where, PackTensor i, PackTensor o)
        {
            foreach (var (t, role) in new[] { (i, "input"), (o, "output") })
            {
                if (t.DataType != DataType.Int16)
                    throw new PackException($"{where}: {role} {t.Describe} must be int16 like the input (16x8: int16 activations, int8 weights)");
                if (t.Scales.Length == 0)
                    throw new PackException($"{where}: {role} {t.Describe} has no quantization scale");
                if (t.ZeroPoint != 0)
                    throw new PackException($"{where}: {role} {t.Describe} has zero point {t.ZeroPoint}; int16 activations must be symmetric (zero point 0)");
            }
        }

        /// <summary>
        /// The bias of a 16x8 operator: absent, int64, or <paramref name="other"/> (int32 for CONV_2D, int16
        /// for TRANSPOSE_CONV), constant, one per channel. Returns its Mote dtype (0 when absent).
        /// </summary>
        int Bias16x8(string where, int bias, int channels, int other)
        {
            if (bias < 0) return 0;
            var b = graph.Tensors[bias];
            if (b.DataType != DataType.Int64 && b.DataType != other)
                throw new PackException($"{where}: bias {b.Describe} must be int64 or {DataType.Name(other)} with int16 activations");
            RequireConstant(where, b, "bias");
            if (b.ElementCount != channels) throw new PackException($"{where}: bias {b.Describe} has {b.ElementCount} elements, expected {channels}");
            return b.DataType;
        }

        /// <summary>The 64-bit MultiplyByQuantizedMultiplier shifts right by 15 - shift: shifts above 14 (scale ratios of 2^14 and more) cannot run.</summary>
        static void RequireShifts16x8(string where, int[] shifts)
        {
            for (int c = 0; c < shifts.Length; c++)
                if (shifts[c] > 14)
                    throw new PackException($"{where}: channel {c}'s requantization shift {shifts[c]} exceeds 14 (input x filter scale over output scale is too large for TFLM's int64 requantization)");
        }

        /// <summary>
        /// TRANSPOSE_CONV: Mote's inputs are (input, filter, bias or -1). TFLite's output_shape input is
        /// left out: TFLM takes the output shape from the output tensor and never reads output_shape's
        /// values (it may be a model input, as in the seanet models, which then stays an input nobody reads).
        /// </summary>
        void LowerTransposeConv(PackOperator op, string where, TfliteOperator src, int inputIdx, int filterIdx, int biasIdx,
            PackTensor o, TransposeConvOptions options)
        {
            if (options == null) throw new PackException($"{where}: missing TransposeConvOptions");
            if (src.Inputs.Length > 4) throw new PackException($"{where}: has {src.Inputs.Length} inputs, expected 3 or 4 (output_shape, filter, input, bias)");
            var i = graph.Tensors[inputIdx];
            var f = graph.Tensors[filterIdx];
            bool wide = RequireConvOperands(where, i, f, o);
            // A constant output_shape that contradicts the output tensor is a broken model. It is not
            // mapped to a Mote tensor (no operator reads it).
            int shapeTfl = src.Inputs[0];
            if (shapeTfl < 0 || shapeTfl >= sub.Tensors.Length) throw new PackException($"{where}: output_shape (input 0) is missing");
            var shape = sub.Tensors[shapeTfl];
            if (shape.Type != TensorType.INT32 || shape.Shape == null || shape.Shape.Length != 1 || shape.Shape[0] != 4)
                throw new PackException($"{where}: output_shape tensor {shapeTfl} '{shape.Name}' must be int32[4]");
            var shapeBuffer = shape.Buffer > 0 && shape.Buffer < model.Buffers.Length ? model.Buffers[shape.Buffer].Data : null;
            if (shapeBuffer != null && shapeBuffer.Length == 16)
            {
                var values = Enumerable.Range(0, 4).Select(k => BitConverter.ToInt32(shapeBuffer, 4 * k)).ToArray();
                if (!values.SequenceEqual(o.Shape))
                    throw new PackException($"{where}: output_shape tensor {shapeTfl} '{shape.Name}' holds [{string.Join(",", values)}] but the output is {o.ShapeText}");
            }
            if (i.Shape[0] != o.Shape[0]) throw new PackException($"{where}: batch of input {i.ShapeText} and output {o.ShapeText} differ");
            if (f.Shape[3] != i.Shape[3] || f.Shape[0] != o.Shape[3])
                throw new PackException($"{where}: filter {f.Describe} does not match input channels {i.Shape[3]} / output channels {o.Shape[3]}");
            int padding = (int)options.Padding, sh = options.StrideH, sw = options.StrideW;
            if (padding != 0 && padding != 1) throw new PackException($"{where}: padding {padding} is neither SAME nor VALID");
            if (sh < 1 || sw < 1) throw new PackException($"{where}: strides ({sh},{sw}) must be >= 1");
            // TFLM's ComputePaddingHeightWidth with the OUTPUT extent as the image (dilation 1); a VALID
            // pad is always 0.
            int pt = padding == 0 ? Padding(0, o.Shape[1], f.Shape[1], sh, 1).pad : 0;
            int pl = padding == 0 ? Padding(0, o.Shape[2], f.Shape[2], sw, 1).pad : 0;
            int act = FusedActivation(where, (int)options.FusedActivationFunction);
            int channels = o.Shape[3];
            if (f.Scales.Length != 1 && f.Scales.Length != channels)
                throw new PackException($"{where}: filter {f.Describe} has {f.Scales.Length} scales; expected 1 or {channels} (one per output channel)");
            var mults = new int[channels];
            var shifts = new int[channels];
            TfliteQuantMath.ConvPerChannel(i.Scales[0], f.Scales, o.Scales[0], channels, mults, shifts);
            int amin, amax;
            if (wide)
            {
                Bias16x8(where, biasIdx, channels, DataType.Int16);
                RequireShifts16x8(where, shifts);
                TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, short.MinValue, short.MaxValue, out amin, out amax);
            }
            else
            {
                Bias(where, biasIdx, channels);
                TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, out amin, out amax);
            }
            op.Code = OpCode.TransposeConv;
            op.Inputs = new[] { inputIdx, filterIdx, biasIdx };
            op.Params = new[] { sh, sw, pt, pl, wide ? 0 : -i.ZeroPoint, wide ? 0 : o.ZeroPoint, amin, amax, 0, 0 };
            op.Multipliers = mults; op.MultiplierWord = 8;
            op.Shifts = shifts; op.ShiftWord = 9;
            op.Macs = (long)i.Shape[0] * i.Shape[1] * i.Shape[2] * i.Shape[3] * f.Shape[1] * f.Shape[2] * channels;
        }

        void LowerFullyConnected(PackOperator op, string where, int inputIdx, int filterIdx, int biasIdx, PackTensor o, FullyConnectedOptions options)
        {
            var i = graph.Tensors[inputIdx];
            var f = graph.Tensors[filterIdx];
            if (options == null) throw new PackException($"{where}: missing FullyConnectedOptions");
            // int16 input: TFLM's 16x8 FULLY_CONNECTED (same Mote op code, chosen by dtype).
            bool wide = i.DataType == DataType.Int16;
            if (wide) Require16x8(where, i, o);
            else
            {
                RequireInt8(where, i, "input");
                RequireInt8(where, o, "output");
            }
            RequireInt8(where, f, "filter");
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
            int act = FusedActivation(where, (int)options.FusedActivationFunction);
            var mults = new int[outDepth];
            var shifts = new int[outDepth];
            TfliteQuantMath.FullyConnected(i.Scales[0], f.Scales, o.Scales[0], outDepth, mults, shifts);
            int amin, amax;
            if (wide)
            {
                if (f.ZeroPoint != 0) throw new PackException($"{where}: filter {f.Describe} has zero point {f.ZeroPoint}; int8 weights must be symmetric (zero point 0) with int16 activations");
                int biasType = Bias16x8(where, biasIdx, outDepth, DataType.Int32);
                if (biasIdx < 0 && options.QuantizedBiasType == TensorType.INT32)
                    throw new PackException($"{where}: int16 FULLY_CONNECTED without a bias but quantized_bias_type INT32 (an int32 accumulator) is not supported");
                if (biasType != DataType.Int32) RequireShifts16x8(where, shifts);
                TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, short.MinValue, short.MaxValue, out amin, out amax);
            }
            else
            {
                Bias(where, biasIdx, outDepth);
                TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, out amin, out amax);
            }
            op.Code = OpCode.FullyConnected;
            op.Inputs = new[] { inputIdx, filterIdx, biasIdx };
            op.Params = new[] { -i.ZeroPoint, -f.ZeroPoint, o.ZeroPoint, amin, amax, 0, 0 };
            op.Multipliers = mults; op.MultiplierWord = 5;
            op.Shifts = shifts; op.ShiftWord = 6;
            op.Macs = batches * outDepth * depth;
        }

        void LowerAdd(PackOperator op, string where, int aIdx, int bIdx, PackTensor o, AddOptions options)
        {
            // TFLM's int16 ADD always takes the general-scale path (pot_scale_int16 is ignored).
            var (a, b) = AddSubOperands(where, "ADD", aIdx, bIdx, o);
            int act = FusedActivation(where, options == null ? 0 : (int)options.FusedActivationFunction);
            var p = new AddParams();
            TfliteQuantMath.Add(a.Scales[0], a.ZeroPoint, b.Scales[0], b.ZeroPoint, o.Scales[0], o.ZeroPoint, act, o.DataType, p);
            // Shapes are checked again (and broadcast flags derived) by the runtime's loader.
            RequireBroadcast(where, a, b, o, exactOutput: false);
            op.Code = OpCode.Add;
            op.Inputs = new[] { aIdx, bIdx };
            op.Params = AddSubWords(p);
        }

        void LowerSub(PackOperator op, string where, int aIdx, int bIdx, PackTensor o, SubOptions options)
        {
            var (a, b) = AddSubOperands(where, "SUB", aIdx, bIdx, o);
            int act = FusedActivation(where, options == null ? 0 : (int)options.FusedActivationFunction);
            var p = new AddParams();
            TfliteQuantMath.Sub(a.Scales[0], a.ZeroPoint, b.Scales[0], b.ZeroPoint, o.Scales[0], o.ZeroPoint, act, o.DataType, p);
            RequireBroadcast(where, a, b, o, exactOutput: false);
            op.Code = OpCode.Sub;
            op.Inputs = new[] { aIdx, bIdx };
            op.Params = AddSubWords(p);
        }

        static int[] AddSubWords(AddParams p) => new[]
        {
            p.LeftShift, p.Input1Offset, p.Input1Multiplier, p.Input1Shift, p.Input2Offset, p.Input2Multiplier, p.Input2Shift,
            p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax,
        };

        /// <summary>
        /// The inputs and output of ADD, SUB or MUL: all int8, or all int16 with zero points 0 (TFLite
        /// quantizes int16 activations symmetrically and its int16 ADD/SUB require it; TFLM's int16
        /// SUB asserts it and its int16 MUL checks it), at most 4-D.
        /// </summary>
        (PackTensor a, PackTensor b) AddSubOperands(string where, string name, int aIdx, int bIdx, PackTensor o)
        {
            if (o.DataType != DataType.Int16) return BroadcastOperands(where, name, aIdx, bIdx, o);
            var a = graph.Tensors[aIdx];
            var b = graph.Tensors[bIdx];
            RequireInt16(where, a, "input 1");
            RequireInt16(where, b, "input 2");
            RequireInt16(where, o, "output");
            foreach (var (t, role) in new[] { (a, "input 1"), (b, "input 2"), (o, "output") })
                if (t.ZeroPoint != 0)
                    throw new PackException($"{where}: {role} {t.Describe} has zero point {t.ZeroPoint}; int16 {name} requires 0 (symmetric int16)");
            if (a.Shape.Length > 4 || b.Shape.Length > 4 || o.Shape.Length > 4)
                throw new PackException($"{where}: {name} supports up to 4 dimensions (inputs {a.ShapeText}, {b.ShapeText}, output {o.ShapeText})");
            return (a, b);
        }

        void RequireInt16(string where, PackTensor t, string role)
        {
            if (t.DataType != DataType.Int16)
                throw new PackException($"{where}: {role} {t.Describe} must be int16 like the output");
            if (t.Scales.Length != 1)
                throw new PackException($"{where}: {role} {t.Describe} has {t.Scales.Length} scales; per-tensor quantization (one scale) is required");
        }

        /// <summary>The two inputs and the output of ADD or MUL: int8, at most 4-D.</summary>
        (PackTensor a, PackTensor b) BroadcastOperands(string where, string name, int aIdx, int bIdx, PackTensor o)
        {
            var a = graph.Tensors[aIdx];
            var b = graph.Tensors[bIdx];
            RequireInt8(where, a, "input 1");
            RequireInt8(where, b, "input 2");
            RequireInt8(where, o, "output");
            if (a.Shape.Length > 4 || b.Shape.Length > 4 || o.Shape.Length > 4)
                throw new PackException($"{where}: {name} supports up to 4 dimensions (inputs {a.ShapeText}, {b.ShapeText}, output {o.ShapeText})");
            return (a, b);
        }

        /// <summary>
        /// NumPy broadcasting of <paramref name="a"/> and <paramref name="b"/> to <paramref name="o"/>
        /// (shapes aligned at the last dimension): each input dimension equals the output's or is 1;
        /// with <paramref name="exactOutput"/> (MUL) the output must also be exactly the broadcast shape.
        /// </summary>
        static void RequireBroadcast(string where, PackTensor a, PackTensor b, PackTensor o, bool exactOutput)
        {
            int ra = a.Shape.Length, rb = b.Shape.Length, ro = o.Shape.Length;
            for (int k = 1; k <= 4; k++)
            {
                int da = k <= ra ? a.Shape[ra - k] : 1, db = k <= rb ? b.Shape[rb - k] : 1, dout = k <= ro ? o.Shape[ro - k] : 1;
                if ((da != dout && da != 1) || (db != dout && db != 1) || (exactOutput && da != dout && db != dout))
                    throw new PackException($"{where}: shapes {a.ShapeText} and {b.ShapeText} do not broadcast to {o.ShapeText}");
            }
        }

        void LowerPool(PackOperator op, string where, bool max, int inputIdx, PackTensor o, Pool2DOptions options)
        {
            var i = graph.Tensors[inputIdx];
            if (options == null) throw new PackException($"{where}: missing Pool2DOptions");
            // int16 pooling (TFLM's int16 overloads) is the same algorithm on int16 values.
            bool wide = i.DataType == DataType.Int16;
            if (wide)
            {
                RequireInt16(where, i, "input");
                RequireInt16(where, o, "output");
            }
            else
            {
                RequireInt8(where, i, "input");
                RequireInt8(where, o, "output");
            }
            RequireRank(where, i, "input", 4);
            RequireRank(where, o, "output", 4);
            // TFLM's pooling Prepare requires identical input and output quantization.
            if (Math.Abs(i.Scales[0] - o.Scales[0]) > 1e-6 || i.ZeroPoint != o.ZeroPoint)
                throw new PackException($"{where}: input and output quantization differ (scale {i.Scales[0]} vs {o.Scales[0]}, zero point {i.ZeroPoint} vs {o.ZeroPoint}); TFLite pooling requires them equal");
            if (i.Shape[0] != o.Shape[0] || i.Shape[3] != o.Shape[3])
                throw new PackException($"{where}: output {o.Describe} must keep the batch and channels of input {i.Describe}");
            int act = FusedActivation(where, (int)options.FusedActivationFunction);
            var (pt, pl) = SpatialCheck(where, (int)options.Padding, i, o, options.FilterHeight, options.FilterWidth, options.StrideH, options.StrideW, 1, 1);
            TfliteQuantMath.ActivationRange(act, o.Scales[0], o.ZeroPoint, wide ? short.MinValue : sbyte.MinValue, wide ? short.MaxValue : sbyte.MaxValue, out int amin, out int amax);
            op.Code = max ? OpCode.MaxPool2D : OpCode.AveragePool2D;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { options.FilterHeight, options.FilterWidth, options.StrideH, options.StrideW, pt, pl, amin, amax };
        }

        void LowerSoftmax(PackOperator op, string where, int inputIdx, PackTensor o, SoftmaxOptions options)
        {
            var i = graph.Tensors[inputIdx];
            RequireInt8(where, i, "input");
            if (i.ElementCount != o.ElementCount || i.Shape.Length == 0)
                throw new PackException($"{where}: input {i.Describe} and output {o.Describe} differ");
            if (o.DataType == DataType.Int16 && o.Scales.Length > 0)
            {
                // TFLM's softmax Prepare, int8 input with int16 output: zero point -32768, scale 1/65536 (within 0.1%).
                if (o.ZeroPoint != -32768 || Math.Abs(o.Scales[0] - 1f / 65536) > 0.001f / 65536)
                    throw new PackException($"{where}: int16 output {o.Describe} must have scale 1/65536 and zero point -32768 (has {o.Scales[0]}, {o.ZeroPoint})");
            }
            else
            {
                RequireInt8(where, o, "output");
                // TFLM's softmax Prepare: int8 output must use zero point -128 and scale 1/256.
                if (o.ZeroPoint != -128 || Math.Abs(o.Scales[0] - 1f / 256) > 0.001f / 256)
                    throw new PackException($"{where}: output {o.Describe} must have scale 1/256 and zero point -128 (has {o.Scales[0]}, {o.ZeroPoint})");
            }
            float beta = options == null ? 1f : options.Beta;
            if (!(beta > 0) || float.IsInfinity(beta)) throw new PackException($"{where}: beta {beta} must be finite and positive");
            var p = new SoftmaxParams();
            TfliteQuantMath.Softmax(beta, i.Scales[0], p);
            op.Code = OpCode.Softmax;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { p.InputMultiplier, p.InputLeftShift, p.DiffMin };
        }

        // ------------------------------------------------------------------ format 1.1 operators

        /// <summary>
        /// An element-wise int8 op's input and output: int8 with scales, equal element counts
        /// (TFLM's MatchingFlatSize).
        /// </summary>
        (PackTensor input, long size) Elementwise(string where, int inputIdx, PackTensor o)
        {
            var i = graph.Tensors[inputIdx];
            RequireInt8(where, i, "input");
            RequireInt8(where, o, "output");
            if (i.ElementCount != o.ElementCount)
                throw new PackException($"{where}: input {i.Describe} and output {o.Describe} have different element counts");
            return (i, i.ElementCount);
        }

        /// <summary>Checks that <paramref name="t"/> has one scale (per-tensor quantization).</summary>
        static void RequirePerTensor(string where, PackTensor t, string role)
        {
            if (t.Scales.Length != 1)
                throw new PackException($"{where}: {role} {t.Describe} has {t.Scales.Length} scales; per-tensor quantization (one scale) is required");
        }

        void LowerMul(PackOperator op, string where, int aIdx, int bIdx, PackTensor o, MulOptions options)
        {
            // int8, or int16 with zero points 0 (TFLM's CalculateOpDataMul ensures them for int16).
            var (a, b) = AddSubOperands(where, "MUL", aIdx, bIdx, o);
            RequireBroadcast(where, a, b, o, exactOutput: true);
            int act = FusedActivation(where, options == null ? 0 : (int)options.FusedActivationFunction);
            var p = new MulParams();
            TfliteQuantMath.Mul(a.Scales[0], a.ZeroPoint, b.Scales[0], b.ZeroPoint, o.Scales[0], o.ZeroPoint, act, o.DataType, p);
            op.Code = OpCode.Mul;
            op.Inputs = new[] { aIdx, bIdx };
            op.Params = new[] { p.Input1Offset, p.Input2Offset, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax };
            op.Macs = o.ElementCount;
        }

        void LowerLogisticTanh(PackOperator op, string where, bool tanh, int inputIdx, PackTensor o)
        {
            var (i, _) = Elementwise(where, inputIdx, o);
            // TFLM's LOGISTIC Prepare checks the output zero point only; TANH checks nothing.
            // Both compute at their fixed output quantization (1/256, -128 and 1/128, 0),
            // whatever the output tensor says (docs/numerics.md).
            if (!tanh && o.ZeroPoint != -128)
                throw new PackException($"{where}: output {o.Describe} has zero point {o.ZeroPoint}; TFLite's int8 LOGISTIC requires -128 (and scale 1/256)");
            var p = new FixedPointActivationParams();
            TfliteQuantMath.LogisticTanh(i.Scales[0], i.ZeroPoint, p);
            op.Code = tanh ? OpCode.Tanh : OpCode.Logistic;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { p.InputOffset, p.InputRangeRadius, p.InputMultiplier, p.InputLeftShift };
        }

        void LowerLeakyRelu(PackOperator op, string where, int inputIdx, PackTensor o, LeakyReluOptions options)
        {
            // int8 or int16 (TFLM's QuantizeLeakyRelu<int16_t>: same Prepare math, int16 clamp).
            PackTensor i;
            if (o.DataType == DataType.Int16)
            {
                i = graph.Tensors[inputIdx];
                RequireInt16(where, i, "input");
                RequireInt16(where, o, "output");
                if (i.ElementCount != o.ElementCount)
                    throw new PackException($"{where}: input {i.Describe} and output {o.Describe} have different element counts");
            }
            else
            {
                (i, _) = Elementwise(where, inputIdx, o);
            }
            float alpha = options == null ? 0f : options.Alpha; // TFLM's parser leaves alpha 0 without options
            var p = new LeakyReluParams();
            TfliteQuantMath.LeakyRelu(i.Scales[0], i.ZeroPoint, alpha, o.Scales[0], o.ZeroPoint, p);
            op.Code = OpCode.LeakyRelu;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { p.InputOffset, p.OutputOffset, p.IdentityMultiplier, p.IdentityShift, p.AlphaMultiplier, p.AlphaShift };
        }

        void LowerRelu(PackOperator op, string where, int inputIdx, PackTensor o)
        {
            var (i, _) = Elementwise(where, inputIdx, o);
            var p = new ReluParams();
            TfliteQuantMath.Relu(i.Scales[0], i.ZeroPoint, o.Scales[0], o.ZeroPoint, p);
            op.Code = OpCode.Relu;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { p.InputOffset, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax };
        }

        void LowerRelu6(PackOperator op, string where, int inputIdx, PackTensor o)
        {
            // TFLM's int8 RELU6 clamps the input bytes on the input's scale and ignores the
            // output quantization (docs/numerics.md); Mote does the same, so a differing output
            // scale is accepted and means what it means in TFLM.
            var (i, _) = Elementwise(where, inputIdx, o);
            var p = new Relu6Params();
            TfliteQuantMath.Relu6(i.Scales[0], i.ZeroPoint, p);
            op.Code = OpCode.Relu6;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { p.Lower, p.Upper };
        }

        /// <summary>A constant input read straight from the .tflite buffer (it does not become a blob tensor).</summary>
        (TfliteTensor tensor, byte[] data) RawConstant(string where, TfliteOperator src, int k, string role)
        {
            if (k >= src.Inputs.Length || src.Inputs[k] < 0 || src.Inputs[k] >= sub.Tensors.Length)
                throw new PackException($"{where}: {role} (input {k}) is missing");
            var t = sub.Tensors[src.Inputs[k]];
            var buffer = t.Buffer > 0 && t.Buffer < model.Buffers.Length ? model.Buffers[t.Buffer] : null;
            if (buffer == null || buffer.Data == null || buffer.Data.Length == 0)
                throw new PackException($"{where}: {role} tensor {src.Inputs[k]} '{t.Name}' is not a constant; TFLite Micro requires a constant {role}");
            return (t, buffer.Data);
        }

        void LowerPad(PackOperator op, string where, TfliteOperator src, int inputIdx, PackTensor o)
        {
            var i = graph.Tensors[inputIdx];
            bool int16 = i.DataType == DataType.Int16;
            if (int16)
            {
                // TFLM PadPrepare: input and output types equal; int16 needs no quantization check.
                if (o.DataType != DataType.Int16)
                    throw new PackException($"{where}: input {i.Describe} is int16 but output {o.Describe} is not; TFLite Micro requires equal types");
            }
            else
            {
                RequireInt8(where, i, "input");
                RequireInt8(where, o, "output");
            }
            int rank = o.Shape.Length;
            if (i.Shape.Length != rank)
                throw new PackException($"{where}: input {i.Describe} and output {o.Describe} differ in rank");
            if (rank > 5)
                throw new PackException($"{where}: PAD supports up to 5 dimensions (TFLite Micro's limit), input {i.Describe} has {rank}");
            // TFLM PadPrepare (shared by PAD and PADV2): 2 inputs, or 3 with constant_values.
            if (src.Inputs.Length != 2 && src.Inputs.Length != 3)
                throw new PackException($"{where}: has {src.Inputs.Length} inputs, expected 2 (input, paddings) or 3 (+ constant_values)");
            var (pt, pdata) = RawConstant(where, src, 1, "paddings");
            if (pt.Type != TensorType.INT32)
                throw new PackException($"{where}: paddings tensor '{pt.Name}' is {pt.Type}; TFLite Micro reads paddings as int32");
            if (pdata.Length != 4 * 2 * rank)
                throw new PackException($"{where}: paddings tensor '{pt.Name}' has {pdata.Length / 4} values, expected {2 * rank} (a [before, after] pair per output dimension)");
            // Extended to 5-D with leading zero paddings, as reference_ops::PadImpl does.
            var left = new int[5];
            var right = new int[5];
            for (int d = 0; d < rank; d++)
            {
                int before = BitConverter.ToInt32(pdata, 8 * d), after = BitConverter.ToInt32(pdata, 8 * d + 4);
                if (before < 0 || after < 0)
                    throw new PackException($"{where}: paddings [{before}, {after}] of dimension {d} are negative; PAD cannot crop");
                if ((long)i.Shape[d] + before + after != o.Shape[d])
                    throw new PackException($"{where}: output {o.Describe} dimension {d} should be {i.Shape[d]} + {before} + {after}");
                left[5 - rank + d] = before;
                right[5 - rank + d] = after;
            }
            // PAD int8: the output zero point (TFLM PadEval), even when the input's differs; int16: 0
            // whatever the zero point (TFLM PadEval's int16 case).
            int padValue = int16 ? 0 : o.ZeroPoint;
            if (int16 && src.Inputs.Length == 3 && src.Inputs[2] >= 0)
            {
                var (ct, cdata) = RawConstant(where, src, 2, "constant_values");
                if (ct.Type != TensorType.INT16 || cdata.Length != 2)
                    throw new PackException($"{where}: constant_values tensor '{ct.Name}' must be a single int16 value (is {ct.Type} with {cdata.Length} bytes)");
                padValue = BitConverter.ToInt16(cdata, 0);
            }
            else if (src.Inputs.Length == 3 && src.Inputs[2] >= 0)
            {
                var (ct, cdata) = RawConstant(where, src, 2, "constant_values");
                if (ct.Type != TensorType.INT8 || cdata.Length != 1)
                    throw new PackException($"{where}: constant_values tensor '{ct.Name}' must be a single int8 value (is {ct.Type} with {cdata.Length} bytes)");
                var q = ct.Quantization;
                float cScale = q != null && q.Scale.Length > 0 ? q.Scale[0] : 0f;
                long cZp = q != null && q.ZeroPoint.Length > 0 ? q.ZeroPoint[0] : 0;
                // TFLM PadPrepare: constant_values must share the output's zero point and scale.
                if (cZp != o.ZeroPoint || (double)cScale != (double)o.Scales[0])
                    throw new PackException($"{where}: constant_values quantization (scale {cScale}, zero point {cZp}) differs from the output's "
                        + $"(scale {o.Scales[0]}, zero point {o.ZeroPoint}); TFLite Micro requires them equal");
                padValue = (sbyte)cdata[0];
            }
            op.Code = OpCode.Pad;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { padValue, left[0], left[1], left[2], left[3], left[4], right[0], right[1], right[2], right[3], right[4] };
        }

        /// <summary>
        /// UNIDIRECTIONAL_SEQUENCE_LSTM (TFLM unidirectional_sequence_lstm.cc, lstm_eval_common.cc): the 8x8->16
        /// integer LSTM (int8 input, output and hidden state, int8 weights, int32 biases, int16 cell state), no
        /// peephole, projection or layer norm (TFLM's ValidateTensorStatus). Computes what TFLM's Prepare does
        /// (CreateGateParams, CreateInterGateMulParams, CreateLstmCellStateInfo) into the 29 parameter words of
        /// docs/blob-format.md §6; the 24 inputs are kept in TFLite's order.
        /// </summary>
        void LowerLstm(PackOperator op, string where, int[] inputs, PackTensor o, UnidirectionalSequenceLSTMOptions options)
        {
            if (options == null) throw new PackException($"{where}: missing UnidirectionalSequenceLSTMOptions");
            foreach (int k in new[] { 9, 10, 11, 16, 17, 20, 21, 22, 23 })
                if (inputs[k] >= 0)
                    throw new PackException($"{where}: input {k} ({(k < 12 ? "peephole weights" : k < 18 ? "projection" : "layer norm coefficients")}) is present; "
                        + "TFLite Micro's LSTM supports only the standard LSTM (no peephole, projection or layer norm)");
            foreach (int k in new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 18, 19 })
                if (inputs[k] < 0) throw new PackException($"{where}: input {k} is missing (TFLite Micro's LSTM needs the input gate: no CIFG)");
            var x = graph.Tensors[inputs[0]];
            var h = graph.Tensors[inputs[18]];
            var c = graph.Tensors[inputs[19]];
            RequireInt8(where, x, "input");
            RequireInt8(where, o, "output");
            RequireInt8(where, h, "hidden state");
            RequireRank(where, x, "input", 3);
            RequireRank(where, o, "output", 3);
            RequireRank(where, h, "hidden state", 2);
            if (c.DataType != DataType.Int16 || c.Scales.Length == 0)
                throw new PackException($"{where}: cell state {c.Describe} must be int16 with a scale (the integer LSTM keeps its cell in int16)");
            if (c.ZeroPoint != 0) throw new PackException($"{where}: cell state {c.Describe} has zero point {c.ZeroPoint}; it must be symmetric");
            if (!h.IsVariable || !c.IsVariable)
                throw new PackException($"{where}: the hidden state {h.Describe} and cell state {c.Describe} must be variable tensors (TFLite Micro requires is_variable)");
            bool timeMajor = options.TimeMajor;
            int batches = timeMajor ? x.Shape[1] : x.Shape[0];
            int steps = timeMajor ? x.Shape[0] : x.Shape[1];
            int inputSize = x.Shape[2];
            int state = h.Shape[1];
            for (int k = 1; k <= 8; k++)
            {
                var w = graph.Tensors[inputs[k]];
                string role = k <= 4 ? "input weights" : "recurrent weights";
                RequireInt8(where, w, role);
                RequireConstant(where, w, role);
                int depth = k <= 4 ? inputSize : state;
                if (w.Shape.Length != 2 || w.Shape[0] != state || w.Shape[1] != depth)
                    throw new PackException($"{where}: {role} {w.Describe} (input {k}) must be [{state}, {depth}]");
                if (w.ZeroPoint != 0) throw new PackException($"{where}: {role} {w.Describe} has zero point {w.ZeroPoint}; int8 weights must be symmetric");
                if (w.Scales.Length != 1)
                    throw new PackException($"{where}: {role} {w.Describe} has {w.Scales.Length} scales; TFLite Micro's LSTM gates use per-tensor weights");
            }
            for (int k = 12; k <= 15; k++)
            {
                var b = graph.Tensors[inputs[k]];
                if (b.DataType != DataType.Int32) throw new PackException($"{where}: gate bias {b.Describe} (input {k}) must be int32");
                RequireConstant(where, b, "gate bias");
                if (b.Shape.Length != 1 || b.Shape[0] != state) throw new PackException($"{where}: gate bias {b.Describe} (input {k}) must be [{state}]");
            }
            if (h.ElementCount != (long)batches * state || c.ElementCount != (long)batches * state)
                throw new PackException($"{where}: hidden state {h.Describe} and cell state {c.Describe} must hold {batches}x{state} elements");
            if (o.Shape[0] != x.Shape[0] || o.Shape[1] != x.Shape[1] || o.Shape[2] != state)
                throw new PackException($"{where}: output {o.Describe} must be [{x.Shape[0]}, {x.Shape[1]}, {state}]");
            int act = (int)options.FusedActivationFunction;
            if (act != 4) throw new PackException($"{where}: cell gate activation {options.FusedActivationFunction} is not supported (TFLite Micro's LSTM takes TANH)");

            // CreateLstmCellStateInfo: log2 of the cell scale in float (CheckedLog2), the clip quantized in double.
            float cellScale = c.Scales[0];
            float log2 = MathF.Log(cellScale) * (1.0f / MathF.Log(2.0f));
            int cellPower = (int)MathF.Round(log2, MidpointRounding.AwayFromZero);
            if (cellPower < -43 || cellPower > 2)
                throw new PackException($"{where}: cell state scale {cellScale} (2^{cellPower}) is outside what the int16 tanh handles (2^-43..2^2)");
            int clip = -1;
            if (options.CellClip > 0)
                clip = (int)(short)Math.Min(Math.Max((double)options.CellClip / cellScale, -32768.0), 32767.0);

            // CreateGateParams: both FCs of a gate output int16 at scale 2^-12 (Q3.12), zero point 0.
            const float gateScale = 0.000244140625f;
            const float activationScale = 0.000030517578125f; // 2^-15, the sigmoid/tanh output Q0.15
            var words = new int[29];
            words[0] = timeMajor ? 1 : 0;
            words[1] = act;
            words[2] = clip;
            words[3] = cellPower;
            words[4] = -x.ZeroPoint;
            words[5] = -h.ZeroPoint;
            words[6] = h.ZeroPoint;
            var m = new int[1];
            var sh = new int[1];
            for (int g = 0; g < 4; g++)
            {
                TfliteQuantMath.FullyConnected(x.Scales[0], graph.Tensors[inputs[1 + g]].Scales, gateScale, 1, m, sh);
                words[7 + 4 * g] = m[0]; words[8 + 4 * g] = sh[0];
                TfliteQuantMath.FullyConnected(h.Scales[0], graph.Tensors[inputs[5 + g]].Scales, gateScale, 1, m, sh);
                words[9 + 4 * g] = m[0]; words[10 + 4 * g] = sh[0];
            }
            // CreateInterGateMulParams: (double)s1 * (double)s2 / (double)out.
            TfliteQuantMath.QuantizeMultiplier((double)activationScale * cellScale / cellScale, out words[23], out words[24]);
            TfliteQuantMath.QuantizeMultiplier((double)activationScale * activationScale / cellScale, out words[25], out words[26]);
            TfliteQuantMath.QuantizeMultiplier((double)activationScale * activationScale / h.Scales[0], out words[27], out words[28]);

            op.Code = OpCode.UnidirectionalSequenceLstm;
            op.Inputs = inputs;
            op.Params = words;
            op.Macs = (long)batches * steps * 4 * state * (inputSize + state);
        }

        void LowerConcatenation(PackOperator op, string where, int[] inputs, PackTensor o, ConcatenationOptions options)
        {
            if (inputs.Length < 1 || inputs.Length > OpCode.MaxConcatenationInputs)
                throw new PackException($"{where}: has {inputs.Length} inputs; TFLite Micro supports 1..{OpCode.MaxConcatenationInputs}");
            int act = options == null ? 0 : (int)options.FusedActivationFunction;
            if (act != 0)
                throw new PackException($"{where}: fused activation {(ActivationFunctionType)act} is not allowed on CONCATENATION (TFLite Micro requires NONE)");
            // int8 inputs must share the output's quantization; int32 ones (the audio front end's) are plain copies.
            bool int8 = o.DataType == DataType.Int8;
            int rank = o.Shape.Length;
            int axis = options == null ? 0 : options.Axis;
            if (axis < 0) axis += rank; // TFLM CalculatePositiveAxis
            if (rank < 1 || axis < 0 || axis >= rank)
                throw new PackException($"{where}: axis {(options == null ? 0 : options.Axis)} is outside the output {o.Describe}");
            long total = 0;
            for (int k = 0; k < inputs.Length; k++)
            {
                var t = graph.Tensors[inputs[k]];
                if (!int8)
                {
                    if (t.DataType != o.DataType || o.DataType != DataType.Int32)
                        throw new PackException($"{where}: input {k} {t.Describe} and output {o.Describe} must both be int8 or both int32");
                }
                else RequireInt8(where, t, $"input {k}");
                // TFLM ConcatenationPrepare: no rescaling in the int8 kernel, so every input must
                // have exactly the output's scale and zero point.
                if (int8 && (double)t.Scales[0] != (double)o.Scales[0] || t.ZeroPoint != o.ZeroPoint)
                    throw new PackException($"{where}: input {k} {t.Describe} has scale {t.Scales[0]} and zero point {t.ZeroPoint} but the output has "
                        + $"{o.Scales[0]} and {o.ZeroPoint}; TFLite Micro's int8 CONCATENATION requires every input to share the output's quantization "
                        + "(requantize the inputs first)");
                if (t.Shape.Length != rank)
                    throw new PackException($"{where}: input {k} {t.Describe} and output {o.Describe} differ in rank");
                for (int d = 0; d < rank; d++)
                    if (d != axis && t.Shape[d] != o.Shape[d])
                        throw new PackException($"{where}: input {k} {t.Describe} differs from output {o.Describe} in dimension {d}");
                total += t.Shape[axis];
            }
            if (total != o.Shape[axis])
                throw new PackException($"{where}: inputs add up to {total} along axis {axis}, output {o.Describe} has {o.Shape[axis]}");
            op.Code = OpCode.Concatenation;
            op.Inputs = inputs;
            op.Params = new[] { axis };
        }

        void LowerSqueeze(PackOperator op, string where, int inputIdx, PackTensor o, SqueezeOptions options)
        {
            var i = graph.Tensors[inputIdx];
            if (i.IsConstant)
                throw new PackException($"{where}: squeezing a constant tensor is not supported");
            if (i.DataType != o.DataType || i.Bytes != o.Bytes)
                throw new PackException($"{where}: input {i.Describe} and output {o.Describe} differ in size or type");
            // TFLM SqueezePrepare: each listed dimension must exist and be 1; none listed squeezes every 1.
            int rank = i.Shape.Length;
            var squeeze = new bool[rank];
            int[] dims = options?.SqueezeDims ?? Array.Empty<int>();
            if (dims.Length == 0)
            {
                for (int d = 0; d < rank; d++) squeeze[d] = i.Shape[d] == 1;
            }
            else
            {
                foreach (int sd in dims)
                {
                    int d = sd < 0 ? sd + rank : sd;
                    if (d < 0 || d >= rank || i.Shape[d] != 1)
                        throw new PackException($"{where}: squeeze dimension {sd} is not a dimension of size 1 of input {i.Describe}");
                    squeeze[d] = true;
                }
            }
            var kept = new List<int>();
            for (int d = 0; d < rank; d++) if (!squeeze[d]) kept.Add(i.Shape[d]);
            if (!kept.SequenceEqual(o.Shape))
                throw new PackException($"{where}: output {o.Describe} is not input {i.ShapeText} with the squeezed dimensions removed ([{string.Join(",", kept)}])");
            op.Code = OpCode.Squeeze;
            op.Inputs = new[] { inputIdx };
        }

        void LowerQuantize(PackOperator op, string where, int inputIdx, PackTensor o)
        {
            var i = graph.Tensors[inputIdx];
            int it = i.DataType, ot = o.DataType;
            // TFLM PrepareQuantizeReference / EvalQuantizeReference: these integer pairs requantize,
            // float32 quantizes to int8/int16 (uint8 is not a Mote type).
            bool intIn = it == DataType.Int8 || it == DataType.Int16;
            bool ok = (intIn && (ot == DataType.Int8 || ot == DataType.Int16 || ot == DataType.Int32))
                || ((it == DataType.Int32 || it == DataType.Float32) && (ot == DataType.Int8 || ot == DataType.Int16));
            if (!ok)
                throw new PackException($"{where}: QUANTIZE from {DataType.Name(it)} to {DataType.Name(ot)} is not supported "
                    + "(TFLite Micro's pairs: int8 or int16 to int8/int16/int32, int32 to int8/int16, float32 to int8/int16)");
            if (i.ElementCount != o.ElementCount)
                throw new PackException($"{where}: input {i.Describe} and output {o.Describe} have different element counts");
            if (o.Scales.Length == 0)
                throw new PackException($"{where}: output {o.Describe} has no quantization scale");
            RequirePerTensor(where, o, "output");
            op.Code = OpCode.Quantize;
            op.Inputs = new[] { inputIdx };
            if (it == DataType.Float32)
            {
                // AffineQuantize divides by the output scale in float at every Eval; the word carries its bits.
                op.Params = new[] { 0, o.ZeroPoint, BitConverter.SingleToInt32Bits(o.Scales[0]), 0 };
                return;
            }
            if (i.Scales.Length == 0)
                throw new PackException($"{where}: input {i.Describe} has no quantization scale");
            if (i.ZeroPoint == int.MinValue)
                throw new PackException($"{where}: input {i.Describe} has zero point -2^31, whose negation does not fit int32");
            var p = new RequantizeParams();
            TfliteQuantMath.Requantize(i.Scales[0], i.ZeroPoint, o.Scales[0], o.ZeroPoint, p);
            op.Params = new[] { p.InputOffset, p.OutputOffset, p.OutputMultiplier, p.OutputShift };
        }

        void LowerDequantize(PackOperator op, string where, int inputIdx, PackTensor o)
        {
            var i = graph.Tensors[inputIdx];
            // TFLM DequantizePrepare: int8/int16/uint8 in (uint8 is not a Mote type), float32 out.
            if (i.DataType != DataType.Int8 && i.DataType != DataType.Int16)
                throw new PackException($"{where}: input {i.Describe} must be int8 or int16");
            if (o.DataType != DataType.Float32)
                throw new PackException($"{where}: output {o.Describe} must be float32 (TFLite Micro's DEQUANTIZE writes float32 only)");
            if (i.Scales.Length == 0)
                throw new PackException($"{where}: input {i.Describe} has no quantization scale");
            RequirePerTensor(where, i, "input");
            if (i.ElementCount != o.ElementCount)
                throw new PackException($"{where}: input {i.Describe} and output {o.Describe} have different element counts");
            op.Code = OpCode.Dequantize;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { i.ZeroPoint, BitConverter.SingleToInt32Bits(i.Scales[0]) };
        }

        /// <summary>A constant int32 vector input (begin, end, strides, perm) with exactly <paramref name="length"/> values.</summary>
        int[] ConstantInts(string where, TfliteOperator src, int k, string role, int length)
        {
            var (t, data) = RawConstant(where, src, k, role);
            if (t.Type != TensorType.INT32)
                throw new PackException($"{where}: {role} tensor '{t.Name}' is {t.Type}; TFLite Micro reads it as int32");
            if (data.Length != 4 * length)
                throw new PackException($"{where}: {role} tensor '{t.Name}' has {data.Length / 4} values, expected {length} (one per input dimension)");
            var v = new int[length];
            for (int d = 0; d < length; d++) v[d] = BitConverter.ToInt32(data, 4 * d);
            return v;
        }

        static void RequireMoveType(string where, PackTensor i, PackTensor o, string op, params int[] types)
        {
            if (Array.IndexOf(types, i.DataType) < 0)
                throw new PackException($"{where}: input {i.Describe} has a type TFLite Micro's {op} does not support ("
                    + string.Join(", ", types.Select(DataType.Name)) + ")");
            if (o.DataType != i.DataType)
                throw new PackException($"{where}: output {o.Describe} differs in type from input {i.Describe}");
        }

        /// <summary>
        /// STRIDED_SLICE (TFLM strided_slice.cc): begin/end/strides constant int32 vectors of the input's rank (≤ 4),
        /// begin/end/shrink-axis masks; TFLM ignores ellipsis_mask, new_axis_mask and offset, so models that set them are
        /// refused rather than given a different meaning. The slice is resolved here exactly as TFLM's Eval resolves it
        /// (StridedSliceStartForAxis / EndForAxis on shapes padded to 5-D), and the output shape is checked as TFLM's
        /// Prepare checks it (CheckOutputSize).
        /// </summary>
        void LowerStridedSlice(PackOperator op, string where, TfliteOperator src, int inputIdx, PackTensor o, StridedSliceOptions options)
        {
            var i = graph.Tensors[inputIdx];
            RequireMoveType(where, i, o, "STRIDED_SLICE", DataType.Float32, DataType.Int8, DataType.Int16, DataType.Int32);
            if (src.Inputs.Length != 4)
                throw new PackException($"{where}: has {src.Inputs.Length} inputs, expected 4 (input, begin, end, strides)");
            int rank = i.Shape.Length;
            if (rank > 4)
                throw new PackException($"{where}: input {i.Describe} has rank {rank}; TFLite Micro's STRIDED_SLICE supports up to 4");
            int beginMask = options?.BeginMask ?? 0, endMask = options?.EndMask ?? 0, shrinkMask = options?.ShrinkAxisMask ?? 0;
            if (options != null && (options.EllipsisMask != 0 || options.NewAxisMask != 0 || options.Offset))
                throw new PackException($"{where}: ellipsis_mask {options.EllipsisMask}, new_axis_mask {options.NewAxisMask} or offset {options.Offset} is set; "
                    + "TFLite Micro ignores them (its result would not mean what the model says), so Mote refuses the model");
            int[] begin = ConstantInts(where, src, 1, "begin", rank);
            int[] end = ConstantInts(where, src, 2, "end", rank);
            int[] strides = ConstantInts(where, src, 3, "strides", rank);

            // TFLM Prepare's output size: per axis ceil((end - begin) / stride), at least 0; shrunk axes dropped.
            var expected = new List<int>();
            for (int d = 0; d < rank; d++)
            {
                if (strides[d] == 0) throw new PackException($"{where}: stride of dimension {d} is 0");
                int b = SliceStart(begin[d], strides[d], (beginMask >> d & 1) != 0, i.Shape[d]);
                bool shrink = (shrinkMask >> d & 1) != 0;
                int e = shrink ? b + 1 : SliceEnd(end[d], strides[d], (endMask >> d & 1) != 0, i.Shape[d]);
                long n = strides[d] > 0 ? CeilDiv(e - b, strides[d]) : CeilDiv(b - e, -(long)strides[d]);
                if (!shrink) expected.Add((int)Math.Max(n, 0));
            }
            if (!expected.SequenceEqual(o.Shape))
                throw new PackException($"{where}: output {o.Describe} should be [{string.Join(",", expected)}] for begin [{string.Join(",", begin)}], "
                    + $"end [{string.Join(",", end)}], strides [{string.Join(",", strides)}], masks begin {beginMask} end {endMask} shrink {shrinkMask}");

            // TFLM Eval: shapes and indices padded to 5-D at the front (begin/end masks set on the new axes).
            var start = new int[5];
            var count = new int[5];
            var step = new int[5];
            int pad = 5 - rank;
            long total = 1;
            for (int d = 0; d < 5; d++)
            {
                if (d < pad) { start[d] = 0; count[d] = 1; step[d] = 1; continue; }
                int k = d - pad, extent = i.Shape[k], stride = strides[k];
                int b = SliceStart(begin[k], stride, (beginMask >> k & 1) != 0, extent);
                int e;
                if ((shrinkMask >> k & 1) != 0) e = b >= extent ? b : b + 1;
                else e = SliceEnd(end[k], stride, (endMask >> k & 1) != 0, extent);
                long n = stride > 0 ? CeilDiv(e - b, stride) : CeilDiv(b - e, -(long)stride);
                if (n <= 0)
                    throw new PackException($"{where}: dimension {k} of the slice is empty in TFLite Micro's Eval (start {b}, stop {e}, stride {stride}), "
                        + "which leaves the output unwritten; Mote refuses such a model");
                start[d] = b;
                count[d] = (int)n;
                step[d] = stride;
                total *= n;
            }
            if (total != o.ElementCount)
                throw new PackException($"{where}: TFLite Micro's Eval would write {total} elements into output {o.Describe}; Mote refuses such a model");
            op.Code = OpCode.StridedSlice;
            op.Inputs = new[] { inputIdx };
            op.Params = start.Concat(count).Concat(step).ToArray();
        }

        static long CeilDiv(long a, long b) => a >= 0 ? (a + b - 1) / b : -((-a) / b);

        /// <summary>strided_slice::StridedSliceStartForAxis (TFLM's Eval): negative from the end, clamped, then the begin mask.</summary>
        static int SliceStart(int start, int stride, bool masked, int extent)
        {
            long s = start;
            if (s < 0) s += extent;
            s = stride > 0 ? Math.Clamp(s, 0, extent) : Math.Clamp(s, -1, extent - 1);
            if (masked) s = stride > 0 ? 0 : extent - 1;
            return (int)s;
        }

        /// <summary>strided_slice::StridedSliceEndForAxis (TFLM's Eval) for an axis that is not shrunk.</summary>
        static int SliceEnd(int end, int stride, bool masked, int extent)
        {
            long e = end;
            if (e < 0) e += extent;
            e = stride > 0 ? Math.Clamp(e, 0, extent) : Math.Clamp(e, -1, extent - 1);
            if (masked) e = stride > 0 ? extent : -1;
            return (int)e;
        }

        /// <summary>
        /// TRANSPOSE (TFLM transpose_common.cc): float32/int8/int16, rank ≤ 5, constant int32 perm of the input's rank.
        /// TFLM checks only that each perm entry is in range; Mote also requires a true permutation and the output shape
        /// it gives (anything else would read outside the input in TFLM).
        /// </summary>
        void LowerTranspose(PackOperator op, string where, TfliteOperator src, int inputIdx, PackTensor o)
        {
            var i = graph.Tensors[inputIdx];
            RequireMoveType(where, i, o, "TRANSPOSE", DataType.Float32, DataType.Int8, DataType.Int16);
            if (src.Inputs.Length != 2)
                throw new PackException($"{where}: has {src.Inputs.Length} inputs, expected 2 (input, perm)");
            int rank = i.Shape.Length;
            if (rank > 5 || rank < 1)
                throw new PackException($"{where}: input {i.Describe} has rank {rank}; TFLite Micro's TRANSPOSE supports 1 to 5");
            int[] perm = ConstantInts(where, src, 1, "perm", rank);
            if (perm.Any(v => v < 0 || v >= rank) || perm.Distinct().Count() != rank)
                throw new PackException($"{where}: perm [{string.Join(",", perm)}] is not a permutation of 0..{rank - 1}");
            var expected = perm.Select(v => i.Shape[v]).ToArray();
            if (!expected.SequenceEqual(o.Shape))
                throw new PackException($"{where}: output {o.Describe} should be [{string.Join(",", expected)}] (input {i.ShapeText} permuted by [{string.Join(",", perm)}])");
            int pad = 5 - rank;
            var words = new int[5];
            for (int d = 0; d < 5; d++) words[d] = d < pad ? d : perm[d - pad] + pad;
            op.Code = OpCode.Transpose;
            op.Inputs = new[] { inputIdx };
            op.Params = words;
        }

        void LowerHardSwish(PackOperator op, string where, int inputIdx, PackTensor o)
        {
            var (i, _) = Elementwise(where, inputIdx, o);
            var p = new HardSwishParams();
            TfliteQuantMath.HardSwish(i.Scales[0], i.ZeroPoint, o.Scales[0], o.ZeroPoint, p);
            op.Code = OpCode.HardSwish;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { p.InputOffset, p.OutputOffset, p.OutputMultiplier, p.OutputExponent, p.ReluishMultiplier, p.ReluishExponent };
        }

        void LowerMean(PackOperator op, string where, TfliteOperator src, int inputIdx, PackTensor o, ReducerOptions options)
        {
            var i = graph.Tensors[inputIdx];
            RequireInt8(where, i, "input");
            RequireInt8(where, o, "output");
            if (src.Inputs.Length != 2)
                throw new PackException($"{where}: has {src.Inputs.Length} inputs, expected 2 (input, axis)");
            var (at, adata) = RawConstant(where, src, 1, "axis");
            if (at.Type != TensorType.INT32)
                throw new PackException($"{where}: axis tensor '{at.Name}' is {at.Type}; TFLite Micro requires int32");
            // reference_ops::ResolveAxis: negative axes count from the end, duplicates are ignored,
            // anything outside the rank fails Eval.
            int rank = i.Shape.Length;
            int mask = 0;
            for (int k = 0; k + 4 <= adata.Length; k += 4)
            {
                int a = BitConverter.ToInt32(adata, k);
                int d = a < 0 ? a + rank : a;
                if (d < 0 || d >= rank)
                    throw new PackException($"{where}: axis {a} is outside input {i.Describe}");
                mask |= 1 << d;
            }
            bool keepDims = options != null && options.KeepDims;
            var expected = new List<int>();
            long reduced = 1;
            for (int d = 0; d < rank; d++)
            {
                if ((mask & (1 << d)) != 0) { reduced *= i.Shape[d]; if (keepDims) expected.Add(1); }
                else expected.Add(i.Shape[d]);
            }
            if (!expected.SequenceEqual(o.Shape))
                throw new PackException($"{where}: output {o.Describe} should be [{string.Join(",", expected)}] (input {i.ShapeText} reduced, keep_dims {keepDims})");
            var p = new MeanParams();
            TfliteQuantMath.Mean(i.Scales[0], i.ZeroPoint, o.Scales[0], o.ZeroPoint, reduced, p);
            op.Code = OpCode.Mean;
            op.Inputs = new[] { inputIdx };
            op.Params = new[] { p.InputOffset, p.OutputOffset, p.OutputMultiplier, p.OutputShift, mask };
            op.Macs = i.ElementCount;
        }

        // ------------------------------------------------------------------ format 1.3 operators

        /// <summary>
        /// SVDF, TFLM's integer path (svdf_common.cc PrepareSvdf / EvalIntegerSvdfReference): int8
        /// input, feature weights and output, time weights and state of one type (int16 or int8),
        /// optional int32 bias. The two multipliers are computed as TFLM's Prepare does: the scale
        /// products and quotient in float, then QuantizeMultiplier on the double.
        /// </summary>
        void LowerSvdf(PackOperator op, string where, int inputIdx, int wfIdx, int wtIdx, int biasIdx, int stateIdx, PackTensor o, SVDFOptions options)
        {
            if (options == null) throw new PackException($"{where}: missing SVDFOptions");
            var i = graph.Tensors[inputIdx];
            var wf = graph.Tensors[wfIdx];
            var wt = graph.Tensors[wtIdx];
            var st = graph.Tensors[stateIdx];
            RequireInt8(where, i, "input");
            RequireInt8(where, wf, "weights_feature");
            RequireInt8(where, o, "output");
            if (st.DataType != DataType.Int16 && st.DataType != DataType.Int8)
                throw new PackException($"{where}: state {st.Describe} must be int16 or int8");
            if (wt.DataType != st.DataType)
                throw new PackException($"{where}: weights_time {wt.Describe} must have the state's type {DataType.Name(st.DataType)} (TFLite Micro reads both with one type)");
            if (st.Scales.Length == 0 || wt.Scales.Length == 0)
                throw new PackException($"{where}: weights_time {wt.Describe} and state {st.Describe} need quantization scales");
            RequirePerTensor(where, wf, "weights_feature");
            RequirePerTensor(where, wt, "weights_time");
            if (!st.IsVariable)
                throw new PackException($"{where}: state {st.Describe} is not a variable tensor (TFLite Micro requires is_variable)");
            RequireRank(where, i, "input", 2);
            RequireRank(where, wf, "weights_feature", 2);
            RequireRank(where, wt, "weights_time", 2);
            RequireRank(where, st, "state", 2);
            RequireRank(where, o, "output", 2);
            int rank = options.Rank;
            int batches = i.Shape[0], inputSize = i.Shape[1], filters = wf.Shape[0], memory = wt.Shape[1];
            if (rank < 1 || filters % rank != 0)
                throw new PackException($"{where}: rank {rank} does not divide the {filters} filters of weights_feature {wf.Describe}");
            int units = filters / rank;
            if (wf.Shape[1] != inputSize)
                throw new PackException($"{where}: weights_feature {wf.Describe} does not match input {i.Describe}");
            if (wt.Shape[0] != filters)
                throw new PackException($"{where}: weights_time {wt.Describe} does not have the {filters} filters of weights_feature");
            if (st.Shape[0] != batches || (long)st.Shape[1] != (long)filters * memory)
                throw new PackException($"{where}: state {st.Describe} should be [{batches},{(long)filters * memory}] (batches, filters x memory)");
            if (o.Shape[0] != batches || o.Shape[1] != units)
                throw new PackException($"{where}: output {o.Describe} should be [{batches},{units}] (batches, filters / rank)");
            Bias(where, biasIdx, units);
            if (biasIdx >= 0)
            {
                var b = graph.Tensors[biasIdx];
                // TFLM PrepareSvdf: |bias scale - state scale * weights_time scale| < 1e-5.
                if (b.Scales.Length == 0 || !(Math.Abs((double)b.Scales[0] - (double)(st.Scales[0] * wt.Scales[0])) < 1e-5))
                    throw new PackException($"{where}: bias {b.Describe} scale {(b.Scales.Length == 0 ? 0 : b.Scales[0])} is not state scale x weights_time scale ({st.Scales[0] * wt.Scales[0]})");
            }
            // options.FusedActivationFunction is not applied: TFLM's integer path ignores it (docs/numerics.md).
            // float arithmetic as in TFLM (C++ float * float / float), widened to double for QuantizeMultiplier.
            float product1 = i.Scales[0] * wf.Scales[0];
            float scale1 = product1 / st.Scales[0];
            float product2 = st.Scales[0] * wt.Scales[0];
            float scale2 = product2 / o.Scales[0];
            TfliteQuantMath.QuantizeMultiplier(scale1, out int m1, out int s1);
            TfliteQuantMath.QuantizeMultiplier(scale2, out int m2, out int s2);
            if (s1 > 30 || s1 < -31 || s2 > 30 || s2 < -31)
                throw new PackException($"{where}: effective scales {scale1} and {scale2} are out of the range Mote's requantization supports");
            op.Code = OpCode.Svdf;
            op.Inputs = new[] { inputIdx, wfIdx, wtIdx, biasIdx, stateIdx };
            op.Params = new[] { rank, -i.ZeroPoint, st.ZeroPoint, o.ZeroPoint, m1, s1, m2, s2 };
            op.Macs = (long)batches * filters * (inputSize + memory);
        }
    }
}
