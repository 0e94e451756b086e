using System;
using System.Collections.Generic;
using System.Linq;

namespace Mote.Packer.Float
{
    /// <summary>
    /// Operators of the float graph. They are the TensorFlow Lite builtins the int8 runtime
    /// executes, so quantizing a float graph is a one-to-one mapping; ONNX ops are lowered to
    /// these (BatchNormalization folded, Relu/Clip fused, layout converted) by the importer.
    /// </summary>
    public enum FloatOpKind
    {
        Conv2D, DepthwiseConv2D, FullyConnected, Add, Mul, MaxPool2D, AveragePool2D,
        Relu, Relu6, LeakyRelu, Logistic, Tanh, Softmax, Reshape, Concatenation, Pad,
    }

    /// <summary>Fused activation; the values are TensorFlow Lite's ActivationFunctionType codes.</summary>
    public enum FusedActivation { None = 0, Relu = 1, ReluN1To1 = 2, Relu6 = 3 }

    /// <summary>Quantization fixed by the source model (a QDQ model's scales), kept as given.</summary>
    public sealed class FixedQuant
    {
        /// <summary>One scale (activations, per-tensor weights) or one per channel (axis = <see cref="Axis"/>).</summary>
        public float[] Scales = Array.Empty<float>();
        public int ZeroPoint;
        public int Axis;
        /// <summary>The integer values for constants (int8 weights or int32 bias), in the float tensor's layout.</summary>
        public int[] Values;
        /// <summary>Where the scale came from (node description) for reports.</summary>
        public string Source = "";
    }

    /// <summary>A float tensor: activations have no data; constants hold it in the graph's layout (NHWC, OHWI).</summary>
    public sealed class FTensor
    {
        public int Index;
        public string Name = "";
        public int[] Shape = Array.Empty<int>();
        public float[] Data;
        public FixedQuant Quant;

        public bool IsConstant => Data != null;

        public int ElementCount => Shape.Aggregate(1, (a, d) => checked(a * d));

        public string ShapeText => "[" + string.Join(",", Shape) + "]";

        public string Describe => $"tensor '{Name}' {ShapeText}";
    }

    /// <summary>One float operator with its attributes in TensorFlow Lite terms (NHWC).</summary>
    public sealed class FOp
    {
        public FloatOpKind Kind;
        public int[] Inputs = Array.Empty<int>();
        public int[] Outputs = Array.Empty<int>();
        public FusedActivation Activation;
        public int StrideH = 1, StrideW = 1, DilationH = 1, DilationW = 1;
        /// <summary>Explicit padding (ONNX semantics); the quantizer maps it to SAME/VALID or a PAD op.</summary>
        public int PadTop, PadLeft, PadBottom, PadRight;
        public int FilterH, FilterW;
        public int DepthMultiplier = 1;
        /// <summary>LeakyRelu slope, Softmax beta.</summary>
        public float Alpha, Beta = 1f;
        /// <summary>Concatenation axis in the graph's layout.</summary>
        public int Axis;
        /// <summary>PAD: before/after per dimension, in the graph's layout (2 × rank values).</summary>
        public int[] Paddings = Array.Empty<int>();
        /// <summary>The source node(s) this op came from, for messages and reports.</summary>
        public string Source = "";

        public string Name => Kind switch
        {
            FloatOpKind.Conv2D => "CONV_2D", FloatOpKind.DepthwiseConv2D => "DEPTHWISE_CONV_2D",
            FloatOpKind.FullyConnected => "FULLY_CONNECTED", FloatOpKind.Add => "ADD", FloatOpKind.Mul => "MUL",
            FloatOpKind.MaxPool2D => "MAX_POOL_2D", FloatOpKind.AveragePool2D => "AVERAGE_POOL_2D",
            FloatOpKind.Relu => "RELU", FloatOpKind.Relu6 => "RELU6", FloatOpKind.LeakyRelu => "LEAKY_RELU",
            FloatOpKind.Logistic => "LOGISTIC", FloatOpKind.Tanh => "TANH", FloatOpKind.Softmax => "SOFTMAX",
            FloatOpKind.Reshape => "RESHAPE", FloatOpKind.Concatenation => "CONCATENATION", FloatOpKind.Pad => "PAD",
            _ => Kind.ToString(),
        };
    }

    /// <summary>How a graph input or output relates to the source model's tensor.</summary>
    public sealed class FBinding
    {
        public int Tensor;
        public string SourceName = "";
        /// <summary>Shape in the source model (ONNX: NCHW / NCW).</summary>
        public int[] SourceShape = Array.Empty<int>();
        /// <summary>
        /// graph-layout dimension k = source dimension Permutation[k]; null when the element order
        /// is identical (e.g. NCHW with one channel is already NHWC).
        /// </summary>
        public int[] Permutation;
    }

    /// <summary>A float inference graph in the runtime's layout: what calibration runs and the quantizer maps.</summary>
    public sealed class FloatGraph
    {
        public readonly List<FTensor> Tensors = new();
        public readonly List<FOp> Ops = new();
        public readonly List<FBinding> Inputs = new();
        public readonly List<FBinding> Outputs = new();
        public string SourceName = "";
        /// <summary>True when the source fixed the activation scales (a QDQ model).</summary>
        public bool IsQdq;

        public FTensor AddTensor(string name, int[] shape, float[] data = null)
        {
            var t = new FTensor { Index = Tensors.Count, Name = name, Shape = shape, Data = data };
            if (data != null && data.Length != t.ElementCount)
                throw new ArgumentException($"tensor '{name}' {t.ShapeText} given {data.Length} values");
            Tensors.Add(t);
            return t;
        }

        /// <summary>Operators that read tensor <paramref name="t"/>.</summary>
        public IEnumerable<FOp> Consumers(int t) => Ops.Where(o => o.Inputs.Contains(t));

        public FOp Producer(int t) => Ops.FirstOrDefault(o => o.Outputs.Contains(t));

        /// <summary>Converts source-layout data of binding <paramref name="b"/> to the graph's layout.</summary>
        public static float[] ToGraphLayout(FBinding b, float[] source)
        {
            if (b.Permutation == null) return source;
            return Permute(source, b.SourceShape, b.Permutation);
        }

        /// <summary>Converts graph-layout data of binding <paramref name="b"/> back to the source layout.</summary>
        public static float[] ToSourceLayout(FBinding b, float[] graphData, int[] graphShape)
        {
            if (b.Permutation == null) return graphData;
            var inverse = new int[b.Permutation.Length];
            for (int k = 0; k < inverse.Length; k++) inverse[b.Permutation[k]] = k;
            return Permute(graphData, graphShape, inverse);
        }

        /// <summary>out dimension k = in dimension perm[k] (numpy.transpose).</summary>
        public static float[] Permute(float[] data, int[] shape, int[] perm)
        {
            int rank = shape.Length;
            var outShape = new int[rank];
            for (int k = 0; k < rank; k++) outShape[k] = shape[perm[k]];
            var inStrides = new int[rank];
            int s = 1;
            for (int k = rank - 1; k >= 0; k--) { inStrides[k] = s; s *= shape[k]; }
            var result = new float[data.Length];
            var idx = new int[rank];
            for (int o = 0; o < result.Length; o++)
            {
                int src = 0;
                for (int k = 0; k < rank; k++) src += idx[k] * inStrides[perm[k]];
                result[o] = data[src];
                for (int k = rank - 1; k >= 0; k--)
                {
                    if (++idx[k] < outShape[k]) break;
                    idx[k] = 0;
                }
            }
            return result;
        }
    }
}
