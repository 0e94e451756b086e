using System;

namespace Mote.Packer.Tflite
{
    // Typed builtin options. Field numbers follow the order of the fields in the TFLite schema tables;
    // an absent field takes the schema default (0/false/NONE/SAME unless the schema says otherwise).

    /// <summary>BuiltinOptions member 1 (CONV_2D).</summary>
    public sealed class Conv2DOptions
    {
        public Padding Padding { get; init; }
        public int StrideW { get; init; }
        public int StrideH { get; init; }
        public ActivationFunctionType FusedActivationFunction { get; init; }
        /// <summary>Schema default 1.</summary>
        public int DilationWFactor { get; init; } = 1;
        /// <summary>Schema default 1.</summary>
        public int DilationHFactor { get; init; } = 1;
        public TensorType QuantizedBiasType { get; init; }

        internal static Conv2DOptions Read(FbTable t) => new Conv2DOptions
        {
            Padding = (Padding)t.GetSByte(0, "padding"),
            StrideW = t.GetInt32(1, "stride_w"),
            StrideH = t.GetInt32(2, "stride_h"),
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(3, "fused_activation_function"),
            DilationWFactor = t.GetInt32(4, "dilation_w_factor", 1),
            DilationHFactor = t.GetInt32(5, "dilation_h_factor", 1),
            QuantizedBiasType = (TensorType)t.GetSByte(6, "quantized_bias_type"),
        };
    }

    /// <summary>BuiltinOptions member 2 (DEPTHWISE_CONV_2D).</summary>
    public sealed class DepthwiseConv2DOptions
    {
        public Padding Padding { get; init; }
        public int StrideW { get; init; }
        public int StrideH { get; init; }
        public int DepthMultiplier { get; init; }
        public ActivationFunctionType FusedActivationFunction { get; init; }
        /// <summary>Schema default 1.</summary>
        public int DilationWFactor { get; init; } = 1;
        /// <summary>Schema default 1.</summary>
        public int DilationHFactor { get; init; } = 1;

        internal static DepthwiseConv2DOptions Read(FbTable t) => new DepthwiseConv2DOptions
        {
            Padding = (Padding)t.GetSByte(0, "padding"),
            StrideW = t.GetInt32(1, "stride_w"),
            StrideH = t.GetInt32(2, "stride_h"),
            DepthMultiplier = t.GetInt32(3, "depth_multiplier"),
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(4, "fused_activation_function"),
            DilationWFactor = t.GetInt32(5, "dilation_w_factor", 1),
            DilationHFactor = t.GetInt32(6, "dilation_h_factor", 1),
        };
    }

    /// <summary>BuiltinOptions member 5 (AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D).</summary>
    public sealed class Pool2DOptions
    {
        public Padding Padding { get; init; }
        public int StrideW { get; init; }
        public int StrideH { get; init; }
        public int FilterWidth { get; init; }
        public int FilterHeight { get; init; }
        public ActivationFunctionType FusedActivationFunction { get; init; }

        internal static Pool2DOptions Read(FbTable t) => new Pool2DOptions
        {
            Padding = (Padding)t.GetSByte(0, "padding"),
            StrideW = t.GetInt32(1, "stride_w"),
            StrideH = t.GetInt32(2, "stride_h"),
            FilterWidth = t.GetInt32(3, "filter_width"),
            FilterHeight = t.GetInt32(4, "filter_height"),
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(5, "fused_activation_function"),
        };
    }

    /// <summary>BuiltinOptions member 6 (SVDF).</summary>
    public sealed class SVDFOptions
    {
        public int Rank { get; init; }
        public ActivationFunctionType FusedActivationFunction { get; init; }
        public bool AsymmetricQuantizeInputs { get; init; }

        internal static SVDFOptions Read(FbTable t) => new SVDFOptions
        {
            Rank = t.GetInt32(0, "rank"),
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(1, "fused_activation_function"),
            AsymmetricQuantizeInputs = t.GetBool(2, "asymmetric_quantize_inputs"),
        };
    }

    /// <summary>BuiltinOptions member 8 (FULLY_CONNECTED).</summary>
    public sealed class FullyConnectedOptions
    {
        public ActivationFunctionType FusedActivationFunction { get; init; }
        public FullyConnectedOptionsWeightsFormat WeightsFormat { get; init; }
        public bool KeepNumDims { get; init; }
        public bool AsymmetricQuantizeInputs { get; init; }
        public TensorType QuantizedBiasType { get; init; }

        internal static FullyConnectedOptions Read(FbTable t) => new FullyConnectedOptions
        {
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(0, "fused_activation_function"),
            WeightsFormat = (FullyConnectedOptionsWeightsFormat)t.GetSByte(1, "weights_format"),
            KeepNumDims = t.GetBool(2, "keep_num_dims"),
            AsymmetricQuantizeInputs = t.GetBool(3, "asymmetric_quantize_inputs"),
            QuantizedBiasType = (TensorType)t.GetSByte(4, "quantized_bias_type"),
        };
    }

    /// <summary>BuiltinOptions member 9 (SOFTMAX). The schema default of beta is 0.0 (converters always write it).</summary>
    public sealed class SoftmaxOptions
    {
        public float Beta { get; init; }

        internal static SoftmaxOptions Read(FbTable t) => new SoftmaxOptions { Beta = t.GetFloat(0, "beta") };
    }

    /// <summary>BuiltinOptions member 10 (CONCATENATION).</summary>
    public sealed class ConcatenationOptions
    {
        public int Axis { get; init; }
        public ActivationFunctionType FusedActivationFunction { get; init; }

        internal static ConcatenationOptions Read(FbTable t) => new ConcatenationOptions
        {
            Axis = t.GetInt32(0, "axis"),
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(1, "fused_activation_function"),
        };
    }

    /// <summary>BuiltinOptions member 11 (ADD).</summary>
    public sealed class AddOptions
    {
        public ActivationFunctionType FusedActivationFunction { get; init; }
        /// <summary>Schema default true.</summary>
        public bool PotScaleInt16 { get; init; } = true;

        internal static AddOptions Read(FbTable t) => new AddOptions
        {
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(0, "fused_activation_function"),
            PotScaleInt16 = t.GetBool(1, "pot_scale_int16", true),
        };
    }

    /// <summary>BuiltinOptions member 17 (RESHAPE). <see cref="NewShape"/> is empty when absent (the shape then comes from input 1).</summary>
    public sealed class ReshapeOptions
    {
        public int[] NewShape { get; init; } = Array.Empty<int>();

        internal static ReshapeOptions Read(FbTable t) => new ReshapeOptions { NewShape = t.GetInt32Vector(0, "new_shape") };
    }

    /// <summary>BuiltinOptions member 29 (DIV).</summary>
    public sealed class DivOptions
    {
        public ActivationFunctionType FusedActivationFunction { get; init; }

        internal static DivOptions Read(FbTable t) => new DivOptions
        {
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(0, "fused_activation_function"),
        };
    }

    /// <summary>BuiltinOptions member 21 (MUL).</summary>
    public sealed class MulOptions
    {
        public ActivationFunctionType FusedActivationFunction { get; init; }

        internal static MulOptions Read(FbTable t) => new MulOptions
        {
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(0, "fused_activation_function"),
        };
    }

    /// <summary>BuiltinOptions member 22 (PAD); the table has no fields.</summary>
    public sealed class PadOptions
    {
        internal static PadOptions Read(FbTable t) => new PadOptions();
    }

    /// <summary>BuiltinOptions member 26 (TRANSPOSE); the table has no fields.</summary>
    public sealed class TransposeOptions
    {
        internal static TransposeOptions Read(FbTable t) => new TransposeOptions();
    }

    /// <summary>BuiltinOptions member 27 (MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ANY, ...).</summary>
    public sealed class ReducerOptions
    {
        public bool KeepDims { get; init; }

        internal static ReducerOptions Read(FbTable t) => new ReducerOptions { KeepDims = t.GetBool(0, "keep_dims") };
    }

    /// <summary>BuiltinOptions member 28 (SUB).</summary>
    public sealed class SubOptions
    {
        public ActivationFunctionType FusedActivationFunction { get; init; }
        /// <summary>Schema default true.</summary>
        public bool PotScaleInt16 { get; init; } = true;

        internal static SubOptions Read(FbTable t) => new SubOptions
        {
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(0, "fused_activation_function"),
            PotScaleInt16 = t.GetBool(1, "pot_scale_int16", true),
        };
    }

    /// <summary>BuiltinOptions member 30 (SQUEEZE).</summary>
    public sealed class SqueezeOptions
    {
        public int[] SqueezeDims { get; init; } = Array.Empty<int>();

        internal static SqueezeOptions Read(FbTable t) => new SqueezeOptions { SqueezeDims = t.GetInt32Vector(0, "squeeze_dims") };
    }

    /// <summary>BuiltinOptions member 32 (STRIDED_SLICE).</summary>
    public sealed class StridedSliceOptions
    {
        public int BeginMask { get; init; }
        public int EndMask { get; init; }
        public int EllipsisMask { get; init; }
        public int NewAxisMask { get; init; }
        public int ShrinkAxisMask { get; init; }
        /// <summary>If true, the end tensor is an offset from begin.</summary>
        public bool Offset { get; init; }

        internal static StridedSliceOptions Read(FbTable t) => new StridedSliceOptions
        {
            BeginMask = t.GetInt32(0, "begin_mask"),
            EndMask = t.GetInt32(1, "end_mask"),
            EllipsisMask = t.GetInt32(2, "ellipsis_mask"),
            NewAxisMask = t.GetInt32(3, "new_axis_mask"),
            ShrinkAxisMask = t.GetInt32(4, "shrink_axis_mask"),
            Offset = t.GetBool(5, "offset"),
        };
    }

    /// <summary>BuiltinOptions member 49 (TRANSPOSE_CONV).</summary>
    public sealed class TransposeConvOptions
    {
        public Padding Padding { get; init; }
        public int StrideW { get; init; }
        public int StrideH { get; init; }
        public ActivationFunctionType FusedActivationFunction { get; init; }
        public TensorType QuantizedBiasType { get; init; }

        internal static TransposeConvOptions Read(FbTable t) => new TransposeConvOptions
        {
            Padding = (Padding)t.GetSByte(0, "padding"),
            StrideW = t.GetInt32(1, "stride_w"),
            StrideH = t.GetInt32(2, "stride_h"),
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(3, "fused_activation_function"),
            QuantizedBiasType = (TensorType)t.GetSByte(4, "quantized_bias_type"),
        };
    }

    /// <summary>BuiltinOptions member 71 (UNIDIRECTIONAL_SEQUENCE_LSTM). Clip 0.0 means no clipping.</summary>
    public sealed class UnidirectionalSequenceLSTMOptions
    {
        public ActivationFunctionType FusedActivationFunction { get; init; }
        public float CellClip { get; init; }
        public float ProjClip { get; init; }
        public bool TimeMajor { get; init; }
        public bool AsymmetricQuantizeInputs { get; init; }
        public bool DiagonalRecurrentTensors { get; init; }

        internal static UnidirectionalSequenceLSTMOptions Read(FbTable t) => new UnidirectionalSequenceLSTMOptions
        {
            FusedActivationFunction = (ActivationFunctionType)t.GetSByte(0, "fused_activation_function"),
            CellClip = t.GetFloat(1, "cell_clip"),
            ProjClip = t.GetFloat(2, "proj_clip"),
            TimeMajor = t.GetBool(3, "time_major"),
            AsymmetricQuantizeInputs = t.GetBool(4, "asymmetric_quantize_inputs"),
            DiagonalRecurrentTensors = t.GetBool(5, "diagonal_recurrent_tensors"),
        };
    }

    /// <summary>BuiltinOptions member 75 (LEAKY_RELU).</summary>
    public sealed class LeakyReluOptions
    {
        public float Alpha { get; init; }

        internal static LeakyReluOptions Read(FbTable t) => new LeakyReluOptions { Alpha = t.GetFloat(0, "alpha") };
    }

    internal static class BuiltinOptionsReader
    {
        /// <summary>The typed options for union member <paramref name="type"/>, or null for members Mote does not model.</summary>
        internal static object Read(int type, FbTable t)
        {
            switch ((BuiltinOptionsType)type)
            {
                case BuiltinOptionsType.Conv2DOptions: return Conv2DOptions.Read(t);
                case BuiltinOptionsType.DepthwiseConv2DOptions: return DepthwiseConv2DOptions.Read(t);
                case BuiltinOptionsType.Pool2DOptions: return Pool2DOptions.Read(t);
                case BuiltinOptionsType.SVDFOptions: return SVDFOptions.Read(t);
                case BuiltinOptionsType.FullyConnectedOptions: return FullyConnectedOptions.Read(t);
                case BuiltinOptionsType.SoftmaxOptions: return SoftmaxOptions.Read(t);
                case BuiltinOptionsType.ConcatenationOptions: return ConcatenationOptions.Read(t);
                case BuiltinOptionsType.AddOptions: return AddOptions.Read(t);
                case BuiltinOptionsType.ReshapeOptions: return ReshapeOptions.Read(t);
                case BuiltinOptionsType.MulOptions: return MulOptions.Read(t);
                case BuiltinOptionsType.DivOptions: return DivOptions.Read(t);
                case BuiltinOptionsType.PadOptions: return PadOptions.Read(t);
                case BuiltinOptionsType.TransposeOptions: return TransposeOptions.Read(t);
                case BuiltinOptionsType.ReducerOptions: return ReducerOptions.Read(t);
                case BuiltinOptionsType.SubOptions: return SubOptions.Read(t);
                case BuiltinOptionsType.SqueezeOptions: return SqueezeOptions.Read(t);
                case BuiltinOptionsType.StridedSliceOptions: return StridedSliceOptions.Read(t);
                case BuiltinOptionsType.TransposeConvOptions: return TransposeConvOptions.Read(t);
                case BuiltinOptionsType.UnidirectionalSequenceLSTMOptions: return UnidirectionalSequenceLSTMOptions.Read(t);
                case BuiltinOptionsType.LeakyReluOptions: return LeakyReluOptions.Read(t);
                default: return null;
            }
        }
    }
}
