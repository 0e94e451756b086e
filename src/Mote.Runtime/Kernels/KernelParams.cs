using Mote.Runtime.Format;

namespace Mote.Runtime.Kernels
{
    // Prepared parameters of the reference kernels (TFLM's prepare/eval split):
    // the loader fills these once from the blob and the tensor table, validates
    // them against the tensor extents, and Eval only reads them.
    //
    // Naming: a field called ...Offset is a quantization offset in TFLM's sense
    // (InputOffset = -input zero point, OutputOffset = +output zero point).
    // Positions inside byte arrays are always called ...Start.
    //
    // Layouts are row-major, activations NHWC. Every int8 value is stored as a
    // byte and read as (sbyte). int32 tables (bias, multipliers, shifts) are
    // little-endian, 4 bytes each.

    /// <summary>CONV_2D and DEPTHWISE_CONV_2D (int8 activations, int8 per-channel or per-tensor weights, int32 bias).</summary>
    public sealed class ConvParams
    {
        public int Batches;
        public int InputHeight, InputWidth, InputChannels;
        public int FilterHeight, FilterWidth;
        public int OutputHeight, OutputWidth, OutputChannels;
        public int StrideHeight, StrideWidth;
        public int DilationHeight, DilationWidth;
        public int PadTop, PadLeft;
        /// <summary>Depthwise only: OutputChannels = InputChannels * DepthMultiplier.</summary>
        public int DepthMultiplier;
        public int InputOffset;
        public int OutputOffset;
        public int ActivationMin, ActivationMax;
        /// <summary>
        /// Channel stride of the multiplier and shift tables: 1 (the default) = entry c for output
        /// channel c; 0 = entry 0 for every channel (per-tensor requantization, blob format 1.2).
        /// </summary>
        public int RequantStride = 1;
        /// <summary>
        /// Element type of the input and output activations: <see cref="DataType.Int8"/> (the default)
        /// or <see cref="DataType.Int16"/> ("16x8": int8 weights, zero points 0, InputOffset and
        /// OutputOffset 0, run by <see cref="Conv2D16x8"/> / <see cref="DepthwiseConv2D16x8"/>).
        /// </summary>
        public int ActivationType = DataType.Int8;
        /// <summary>
        /// 16x8 only: the bias element type, which is also the accumulator's (TFLM's AccumScalar):
        /// <see cref="DataType.Int64"/>, <see cref="DataType.Int32"/>, or 0 for no bias (int64 accumulator).
        /// </summary>
        public int BiasType;
    }

    /// <summary>
    /// TRANSPOSE_CONV (TFLM reference_integer_ops::TransposeConv): int8 activations with an int32
    /// bias, or 16x8 (int16 activations, int8 weights) with an int64 or int16 bias and an int64
    /// accumulator. Filter [OutputChannels, FilterHeight, FilterWidth, InputChannels].
    /// </summary>
    public sealed class TransposeConvParams
    {
        public int Batches;
        public int InputHeight, InputWidth, InputChannels;
        public int FilterHeight, FilterWidth;
        public int OutputHeight, OutputWidth, OutputChannels;
        public int StrideHeight, StrideWidth;
        /// <summary>TFLM's padding_values (leading pads); the output-side rest is cropped.</summary>
        public int PadTop, PadLeft;
        /// <summary>int8 only (TFLM ignores zero points in the 16x8 kernel; they are 0 there).</summary>
        public int InputOffset, OutputOffset;
        public int ActivationMin, ActivationMax;
        /// <summary><see cref="DataType.Int8"/> or <see cref="DataType.Int16"/>.</summary>
        public int ActivationType = DataType.Int8;
        /// <summary><see cref="DataType.Int32"/> (int8), <see cref="DataType.Int64"/> or <see cref="DataType.Int16"/> (16x8), 0 = no bias.</summary>
        public int BiasType;
    }

    /// <summary>FULLY_CONNECTED: output[b, o] = sum_d (in[b, d] + InputOffset) * (w[o, d] + FilterOffset) + bias[o].</summary>
    public sealed class FullyConnectedParams
    {
        public int Batches;
        public int AccumDepth;
        public int OutputDepth;
        public int InputOffset;
        public int FilterOffset;
        public int OutputOffset;
        public int ActivationMin, ActivationMax;
        /// <summary>Channel stride of the multiplier and shift tables, 1 (default) or 0; as <see cref="ConvParams.RequantStride"/>.</summary>
        public int RequantStride = 1;
        /// <summary>
        /// <see cref="DataType.Int8"/> (the default) or <see cref="DataType.Int16"/> ("16x8": int8
        /// weights, zero points and all three offsets 0, run by <see cref="FullyConnected16x8"/>).
        /// </summary>
        public int ActivationType = DataType.Int8;
        /// <summary>16x8 only: bias and accumulator type, <see cref="DataType.Int64"/>, <see cref="DataType.Int32"/> or 0 (no bias, int64).</summary>
        public int BiasType;
    }

    /// <summary>
    /// ADD and SUB, int8 or int16 (TFLM's OpDataAdd / OpDataSub), with TFLM's left shift (20 for
    /// int8, 15 for int16) and broadcasting over 4-D shapes. SUB uses the same fields: its
    /// element operation differs from ADD's only in subtracting the rescaled inputs.
    /// </summary>
    public sealed class AddParams
    {
        /// <summary>
        /// Element type of the inputs and the output (<see cref="Format.DataType"/>.Int8, the
        /// default, or Int16): the loader records it from the tensor records and the interpreter
        /// picks the kernel by it. The element operation is the same for both types.
        /// </summary>
        public int ElementType = Format.DataType.Int8;
        public int LeftShift;
        public int Input1Offset, Input1Multiplier, Input1Shift;
        public int Input2Offset, Input2Multiplier, Input2Shift;
        public int OutputOffset, OutputMultiplier, OutputShift;
        public int ActivationMin, ActivationMax;
        /// <summary>Number of output elements when both inputs have the output's shape.</summary>
        public int FlatSize;
        /// <summary>True when an input's shape differs from the output's; then the 4-D shapes below are used.</summary>
        public bool Broadcast;
        /// <summary>Shapes extended to 4-D (leading 1s), length 4 each; null when <see cref="Broadcast"/> is false (unused then).</summary>
        public int[] Input1Shape, Input2Shape, OutputShape;
    }

    /// <summary>AVERAGE_POOL_2D and MAX_POOL_2D (int8, input and output share quantization).</summary>
    public sealed class PoolParams
    {
        public int Batches;
        public int InputHeight, InputWidth, Channels;
        public int OutputHeight, OutputWidth;
        public int FilterHeight, FilterWidth;
        public int StrideHeight, StrideWidth;
        public int PadTop, PadLeft;
        public int ActivationMin, ActivationMax;
        /// <summary>Element type of input and output: <see cref="DataType.Int8"/> (default) or <see cref="DataType.Int16"/> (format 1.3).</summary>
        public int ElementType = DataType.Int8;
    }

    /// <summary>SOFTMAX int8 -> int8 (output scale 1/256, zero point -128), TFLM's fixed-point algorithm.</summary>
    public sealed class SoftmaxParams
    {
        /// <summary>Number of rows (product of all but the last dimension).</summary>
        public int Rows;
        /// <summary>Length of each row (last dimension).</summary>
        public int Depth;
        public int InputMultiplier;
        public int InputLeftShift;
        public int DiffMin;
        /// <summary>int16 output (scale 1/65536, zero point -32768; format 1.3) instead of int8; chosen by the output tensor's dtype.</summary>
        public bool OutputIsInt16;
    }

    /// <summary>
    /// MUL (int8 or int16), TFLM reference_integer_ops::Mul / BroadcastMul4DSlow: one multiplier for the
    /// product of the two offset inputs, broadcasting over 4-D shapes like ADD.
    /// </summary>
    public sealed class MulParams
    {
        /// <summary>
        /// Element type of the inputs and the output (<see cref="Format.DataType"/>.Int8, the
        /// default, or Int16 with all offsets 0, TFLM's int16 MUL): the interpreter picks the kernel by it.
        /// </summary>
        public int ElementType = Format.DataType.Int8;
        public int Input1Offset, Input2Offset;
        public int OutputOffset, OutputMultiplier, OutputShift;
        public int ActivationMin, ActivationMax;
        /// <summary>Number of output elements when both inputs have the output's shape.</summary>
        public int FlatSize;
        /// <summary>True when an input's shape differs from the output's; then the 4-D shapes below are used.</summary>
        public bool Broadcast;
        /// <summary>Shapes extended to 4-D (leading 1s), length 4 each; null when <see cref="Broadcast"/> is false (unused then).</summary>
        public int[] Input1Shape, Input2Shape, OutputShape;
    }

    /// <summary>
    /// LOGISTIC and TANH int8 -> int8 (TFLM reference_integer_ops::Logistic / Tanh): the input,
    /// minus its zero point, is rescaled to Q4.27 with InputMultiplier and InputLeftShift unless
    /// it lies outside (-InputRangeRadius, InputRangeRadius), where the output saturates.
    /// </summary>
    public sealed class FixedPointActivationParams
    {
        /// <summary>Number of elements.</summary>
        public int Size;
        /// <summary>Minus the input zero point.</summary>
        public int InputOffset;
        public int InputRangeRadius;
        public int InputMultiplier;
        /// <summary>TFLM's input_left_shift: a left shift (0..30) applied before the multiplier.</summary>
        public int InputLeftShift;
    }

    /// <summary>LEAKY_RELU int8 or int16 (TFLM reference_ops::QuantizeLeakyRelu): one multiplier per sign of the input.</summary>
    public sealed class LeakyReluParams
    {
        /// <summary>
        /// Element type of input and output (<see cref="Format.DataType"/>.Int8, the default, or
        /// Int16, TFLM's QuantizeLeakyRelu&lt;int16_t&gt;): int16 elements are 2 bytes little-endian
        /// and the result is clamped to [-32768, 32767] instead of [-128, 127].
        /// </summary>
        public int ElementType = Format.DataType.Int8;
        public int Size;
        public int InputOffset, OutputOffset;
        /// <summary>input_scale / output_scale, for inputs at or above the zero point.</summary>
        public int IdentityMultiplier, IdentityShift;
        /// <summary>input_scale * alpha / output_scale, for inputs below the zero point; negative for a negative alpha.</summary>
        public int AlphaMultiplier, AlphaShift;
    }

    /// <summary>RELU int8 (TFLM ReluQuantized): requantize to the output scale, then clamp.</summary>
    public sealed class ReluParams
    {
        public int Size;
        public int InputOffset, OutputOffset;
        public int OutputMultiplier, OutputShift;
        public int ActivationMin, ActivationMax;
    }

    /// <summary>RELU6 int8 (TFLM Relu6Quantized): clamps the raw input bytes to [Lower, Upper], no requantization.</summary>
    public sealed class Relu6Params
    {
        public int Size;
        public int Lower, Upper;
    }

    /// <summary>PAD int8 and int16 (TFLM reference_ops::PadImpl): shapes and paddings extended to 5-D with leading 1s / 0s.</summary>
    public sealed class PadParams
    {
        public int PadValue;
        /// <summary>Bytes per element: 1 (int8, the default) or 2 (int16, little-endian PadValue).</summary>
        public int ElementSize = 1;
        /// <summary>Length 5 each.</summary>
        public int[] InputShape, OutputShape, LeftPadding, RightPadding;
    }

    /// <summary>
    /// CONCATENATION (byte copy, TFLM reference_ops::Concatenation): for each of OuterSize outer
    /// indices, input i contributes CopyBytes[i] contiguous bytes, inputs in order.
    /// </summary>
    public sealed class ConcatenationParams
    {
        public int Axis;
        public int InputCount;
        /// <summary>Product of the output dimensions before the axis.</summary>
        public int OuterSize;
        /// <summary>Per input: its extent along the axis x the inner size x the element size.</summary>
        public int[] CopyBytes;
    }

    /// <summary>
    /// QUANTIZE (TFLM reference_ops::Requantize for integer inputs, AffineQuantize for float32).
    /// The types are <see cref="Format.DataType"/> codes; the defaults are int8 -> int8.
    /// </summary>
    public sealed class RequantizeParams
    {
        public int Size;
        public int InputOffset, OutputOffset;
        public int OutputMultiplier, OutputShift;
        public int InputType = Format.DataType.Int8, OutputType = Format.DataType.Int8;
        /// <summary>float32 input only: the output scale (OutputOffset is the output zero point).</summary>
        public float Scale;
    }

    /// <summary>DEQUANTIZE int8/int16 -> float32 (TFLM reference_ops::Dequantize).</summary>
    public sealed class DequantizeParams
    {
        public int Size;
        public int InputType = Format.DataType.Int8;
        public int ZeroPoint;
        /// <summary>
        /// The input scale as a float32 split into an integer significand and a power of two:
        /// scale = ScaleSignificand * 2^ScaleExponent exactly (significand below 2^24).
        /// </summary>
        public int ScaleSignificand, ScaleExponent;
    }

    /// <summary>
    /// STRIDED_SLICE (TFLM reference_ops::StridedSlice), a gather of whole elements: shapes
    /// extended to 5-D; along axis k the slice takes Count[k] indices Start[k], Start[k] + Step[k], ...
    /// (Step may be negative), in row-major order.
    /// </summary>
    public sealed class StridedSliceParams
    {
        public int ElementSize;
        /// <summary>Length 5 each; InputStrides in elements.</summary>
        public int[] Start, Count, Step, InputStrides;
    }

    /// <summary>
    /// TRANSPOSE (TFLM reference_ops::Transpose), any element size: shapes extended to 5-D,
    /// output dimension k is input dimension Perm[k].
    /// </summary>
    public sealed class TransposeParams
    {
        public int ElementSize;
        /// <summary>Length 5: output extents, and for each output dimension the input stride (elements) of the dimension it reads.</summary>
        public int[] OutputShape, InputStrides;
    }

    /// <summary>
    /// HARD_SWISH int8 (TFLM reference_ops::HardSwish): x * relu6(x + 3) / 6 in 16-bit fixed point,
    /// with two int16 multipliers and their exponents (TFLM's HardSwishParams).
    /// </summary>
    public sealed class HardSwishParams
    {
        public int Size;
        public int InputOffset, OutputOffset;
        /// <summary>(input_scale / 128) / output_scale as an int16 Q0.15 multiplier (0..32767) and exponent (-31..0).</summary>
        public int OutputMultiplier, OutputExponent;
        /// <summary>(input_scale / 128) / (3 / 32768) as an int16 Q0.15 multiplier (0..32767) and exponent (-31..31).</summary>
        public int ReluishMultiplier, ReluishExponent;
    }

    /// <summary>
    /// MEAN int8 over any set of axes (TFLM reference_ops::QuantizedMeanOrSum): for each output
    /// element, the int32 sum of (x - input zero point) over the reduced axes, requantized with a
    /// multiplier that already includes 1 / (number of reduced elements).
    /// </summary>
    public sealed class MeanParams
    {
        public int InputOffset, OutputOffset;
        public int OutputMultiplier, OutputShift;
        /// <summary>Number of output elements (product of the kept extents).</summary>
        public int OutputCount;
        /// <summary>Number of input elements summed per output (product of the reduced extents).</summary>
        public int ReducedCount;
        /// <summary>Kept input dimensions in order: extents and input strides (elements).</summary>
        public int[] KeptExtents, KeptStrides;
        /// <summary>Reduced input dimensions in order: extents and input strides (elements).</summary>
        public int[] ReducedExtents, ReducedStrides;
    }

    /// <summary>
    /// SVDF int8 (TFLM EvalIntegerSvdfReference): input [Batches, InputSize], feature weights
    /// [Filters, InputSize] int8, time weights [Filters, Memory] and state [Batches, Filters * Memory]
    /// both int16 (<see cref="StateIsInt16"/>) or both int8, bias [Units] int32, output [Batches, Units] int8.
    /// </summary>
    public sealed class SvdfParams
    {
        public int Batches, InputSize, Filters, Memory, Rank;
        /// <summary>Filters / Rank.</summary>
        public int Units;
        /// <summary>Minus the input zero point.</summary>
        public int InputOffset;
        /// <summary>The state's zero point (subtracted when reading the state, added when writing it).</summary>
        public int StateZeroPoint;
        /// <summary>The output zero point.</summary>
        public int OutputOffset;
        /// <summary>input_scale * weights_feature_scale / state_scale (TFLM effective_scale_1).</summary>
        public int Multiplier1, Shift1;
        /// <summary>state_scale * weights_time_scale / output_scale (TFLM effective_scale_2).</summary>
        public int Multiplier2, Shift2;
        /// <summary>True: time weights and state are int16; false: int8.</summary>
        public bool StateIsInt16;
    }
}
