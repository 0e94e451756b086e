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

    /// <summary>CONV_2D and DEPTHWISE_CONV_2D (int8 activations, int8 per-channel weights, int32 bias).</summary>
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
    }

    /// <summary>ADD (int8), with TFLM's left shift of 20 and broadcasting over 4-D shapes.</summary>
    public sealed class AddParams
    {
        public int LeftShift;
        public int Input1Offset, Input1Multiplier, Input1Shift;
        public int Input2Offset, Input2Multiplier, Input2Shift;
        public int OutputOffset, OutputMultiplier, OutputShift;
        public int ActivationMin, ActivationMax;
        /// <summary>Number of output elements when both inputs have the output's shape.</summary>
        public int FlatSize;
        /// <summary>True when an input's shape differs from the output's; then the 4-D shapes below are used.</summary>
        public bool Broadcast;
        /// <summary>Shapes extended to 4-D (leading 1s), length 4 each.</summary>
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
    }
}
