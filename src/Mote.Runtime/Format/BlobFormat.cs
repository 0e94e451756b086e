namespace Mote.Runtime.Format
{
    /// <summary>Constants of the .mote blob format v1.2 (docs/blob-format.md is normative).</summary>
    public static class BlobFormat
    {
        public const int MajorVersion = 1;
        /// <summary>
        /// Minor version this runtime writes and reads in full. 1.1 added op codes 9..20
        /// (MUL .. MEAN); a 1.0 reader rejects those op codes by name, so a 1.1 blob that
        /// uses only the 1.0 op codes still runs on a 1.0 runtime. 1.2 added the optional
        /// requantization stride word of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED
        /// (<see cref="OpCode.RequantStrideWord"/>); an older reader rejects an operator that
        /// has it by its parameter word count, so a 1.2 blob without it runs on 1.0/1.1 runtimes.
        /// </summary>
        public const int MinorVersion = 3;

        /// <summary>The minor version that introduced the requantization stride word (1.2).</summary>
        public const int RequantStrideSinceMinorVersion = 2;
        public const int HeaderSize = 64;
        public const int CrcFieldOffset = 16;
        /// <summary>The CRC covers [CrcStart, total length).</summary>
        public const int CrcStart = 20;
        public const int SectionEntrySize = 16;
        public const int MaxSections = 16;
        public const int TensorRecordSize = 64;
        public const int OperatorRecordSize = 32;
        public const int Alignment = 16;
        public const int MaxRank = 6;

        // Header field offsets.
        public const int OffMagic = 0, OffMajor = 4, OffMinor = 6, OffHeaderSize = 8, OffTotalLength = 12,
            OffCrc = 16, OffFlags = 20, OffArenaBytes = 24, OffSectionCount = 28, OffSectionTable = 32, OffWeightsLayout = 36;

        // Section kinds.
        public const int SectionTensors = 1, SectionOperators = 2, SectionIndices = 3, SectionParams = 4,
            SectionIo = 5, SectionStrings = 6, SectionConstants = 7, SectionScales = 8;

        /// <summary>
        /// Header weights layout 0, "plain" (a profile's weight_layout): constants exactly as
        /// docs/blob-format.md §6 describes them (filters row-major), read by the reference kernels.
        /// The only layout this runtime serves; other values are reserved for target-specific
        /// kernels (SIMD, DSP) and rejected by <see cref="Model.Load"/>.
        /// </summary>
        public const int WeightsLayoutPlain = 0;

        /// <summary>A weights layout for messages: "plain" for 0.</summary>
        public static string WeightsLayoutName(int layout)
        {
            return layout == WeightsLayoutPlain ? "plain" : "not a layout this runtime knows";
        }

        // Tensor storage kinds.
        public const int StorageArena = 0, StorageConstant = 1;
        /// <summary>Tensor record byte 3 (1.3): flags. Bit 0 = variable (state) tensor; other bits must be 0.</summary>
        public const int TensorFlagsOffset = 3, TensorFlagVariable = 1;
        /// <summary>The first minor version whose tensor records may set <see cref="TensorFlagVariable"/>.</summary>
        public const int VariableTensorsSinceMinorVersion = 3;

        public static string SectionName(int kind)
        {
            switch (kind)
            {
                case SectionTensors: return "TENSORS";
                case SectionOperators: return "OPERATORS";
                case SectionIndices: return "INDICES";
                case SectionParams: return "PARAMS";
                case SectionIo: return "IO";
                case SectionStrings: return "STRINGS";
                case SectionConstants: return "CONSTANTS";
                case SectionScales: return "SCALES";
                default: return "section kind " + kind;
            }
        }
    }

    /// <summary>Element types of tensors (tensor record byte 0).</summary>
    public static class DataType
    {
        public const int Int8 = 1, Int16 = 2, Int32 = 3, Float32 = 4, UInt8 = 5, Int64 = 6;
        /// <summary>Format 1.3: the audio front end's spectra and filter-bank energies.</summary>
        public const int UInt32 = 7, UInt64 = 8;

        /// <summary>Element size in bytes, or 0 for an unknown type.</summary>
        public static int Size(int dtype)
        {
            switch (dtype)
            {
                case Int8: case UInt8: return 1;
                case Int16: return 2;
                case Int32: case Float32: case UInt32: return 4;
                case Int64: case UInt64: return 8;
                default: return 0;
            }
        }

        public static string Name(int dtype)
        {
            switch (dtype)
            {
                case Int8: return "int8";
                case Int16: return "int16";
                case Int32: return "int32";
                case Float32: return "float32";
                case UInt8: return "uint8";
                case Int64: return "int64";
                case UInt32: return "uint32";
                case UInt64: return "uint64";
                default: return "dtype " + dtype;
            }
        }
    }

    /// <summary>Mote operator codes (operator record bytes 0..1) and their parameter word counts.</summary>
    public static class OpCode
    {
        // Format 1.0.
        public const int Conv2D = 1, DepthwiseConv2D = 2, FullyConnected = 3, Add = 4,
            AveragePool2D = 5, MaxPool2D = 6, Softmax = 7, Reshape = 8;
        // Format 1.1.
        public const int Mul = 9, Logistic = 10, Tanh = 11, LeakyRelu = 12, Relu = 13, Relu6 = 14,
            Pad = 15, Concatenation = 16, Squeeze = 17, Quantize = 18, HardSwish = 19, Mean = 20;
        // Format 1.3 (codes reserved here; an op is known once ParamWords returns >= 0 for it).
        public const int Dequantize = 21, StridedSlice = 22, Transpose = 23, Sub = 24, TransposeConv = 25,
            Svdf = 26, UnidirectionalSequenceLstm = 27, Cast = 28, Div = 29, Maximum = 30, Minimum = 31,
            SignalWindow = 32, SignalRfft = 33, SignalEnergy = 34, SignalFilterBank = 35,
            SignalFilterBankSquareRoot = 36, SignalFilterBankSpectralSubtraction = 37, SignalFilterBankLog = 38,
            SignalPcan = 39, SignalFftAutoScale = 40;

        /// <summary>Highest op code this runtime knows.</summary>
        public const int Max = 40;

        /// <summary>Most inputs a CONCATENATION may have (TFLM's kMaxInputNum).</summary>
        public const int MaxConcatenationInputs = 10;

        /// <summary>UNIDIRECTIONAL_SEQUENCE_LSTM always lists TFLite's 24 inputs (absent optional ones as -1).</summary>
        public const int UnidirectionalSequenceLstmInputs = 24;

        public static string Name(int code)
        {
            switch (code)
            {
                case Conv2D: return "CONV_2D";
                case DepthwiseConv2D: return "DEPTHWISE_CONV_2D";
                case FullyConnected: return "FULLY_CONNECTED";
                case Add: return "ADD";
                case AveragePool2D: return "AVERAGE_POOL_2D";
                case MaxPool2D: return "MAX_POOL_2D";
                case Softmax: return "SOFTMAX";
                case Reshape: return "RESHAPE";
                case Mul: return "MUL";
                case Logistic: return "LOGISTIC";
                case Tanh: return "TANH";
                case LeakyRelu: return "LEAKY_RELU";
                case Relu: return "RELU";
                case Relu6: return "RELU6";
                case Pad: return "PAD";
                case Concatenation: return "CONCATENATION";
                case Squeeze: return "SQUEEZE";
                case Quantize: return "QUANTIZE";
                case HardSwish: return "HARD_SWISH";
                case Mean: return "MEAN";
                case Dequantize: return "DEQUANTIZE";
                case StridedSlice: return "STRIDED_SLICE";
                case Transpose: return "TRANSPOSE";
                case Sub: return "SUB";
                case TransposeConv: return "TRANSPOSE_CONV";
                case Svdf: return "SVDF";
                case UnidirectionalSequenceLstm: return "UNIDIRECTIONAL_SEQUENCE_LSTM";
                case Cast: return "CAST";
                case Div: return "DIV";
                case Maximum: return "MAXIMUM";
                case Minimum: return "MINIMUM";
                case SignalWindow: return "SIGNAL_WINDOW";
                case SignalRfft: return "SIGNAL_RFFT";
                case SignalEnergy: return "SIGNAL_ENERGY";
                case SignalFilterBank: return "SIGNAL_FILTER_BANK";
                case SignalFilterBankSquareRoot: return "SIGNAL_FILTER_BANK_SQUARE_ROOT";
                case SignalFilterBankSpectralSubtraction: return "SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION";
                case SignalFilterBankLog: return "SIGNAL_FILTER_BANK_LOG";
                case SignalPcan: return "SIGNAL_PCAN";
                case SignalFftAutoScale: return "SIGNAL_FFT_AUTO_SCALE";
                default: return "op code " + code;
            }
        }

        /// <summary>
        /// Number of i32 parameter words, or -1 for an unknown code. CONV_2D, DEPTHWISE_CONV_2D and
        /// FULLY_CONNECTED may have one more in format 1.2 (<see cref="RequantStrideWord"/>).
        /// </summary>
        public static int ParamWords(int code)
        {
            switch (code)
            {
                case Conv2D: case DepthwiseConv2D: return 13;
                case FullyConnected: return 7;
                case Add: case Sub: return 12;
                case AveragePool2D: case MaxPool2D: return 8;
                case Softmax: return 3;
                case Reshape: return 0;
                case Mul: return 7;
                case Logistic: case Tanh: return 4;
                case LeakyRelu: return 6;
                case Relu: return 6;
                case Relu6: return 2;
                case Pad: return 11;
                case Concatenation: return 1;
                case Squeeze: return 0;
                case Quantize: return 4;
                case HardSwish: return 6;
                case Mean: return 5;
                case Dequantize: return 2;
                case StridedSlice: return 15;
                case Transpose: return 5;
                case Cast: return 0;
                case Div: return 2;
                case Maximum: case Minimum: return 0;
                case SignalWindow: return 1;
                case SignalRfft: return 1;
                case SignalEnergy: return 2;
                case SignalFilterBank: return 1;
                case SignalFilterBankSquareRoot: return 0;
                case SignalFilterBankSpectralSubtraction: return 8;
                case SignalFilterBankLog: return 2;
                case SignalPcan: return 1;
                case SignalFftAutoScale: return 0;
                case Svdf: return 8;
                case UnidirectionalSequenceLstm: return 29;
                case TransposeConv: return 10;
                default: return -1;
            }
        }

        /// <summary>
        /// Index of the optional requantization stride word (format 1.2) of CONV_2D,
        /// DEPTHWISE_CONV_2D (13) and FULLY_CONNECTED (7): the word right after the op's
        /// <see cref="ParamWords"/>, so such an operator has ParamWords or ParamWords + 1 words.
        /// -1 for every other op code. The word is the channel stride of the op's multiplier and
        /// shift tables: 1 = one entry per output channel (what the shorter form means),
        /// 0 = one entry shared by all channels (per-tensor requantization).
        /// </summary>
        public static int RequantStrideWord(int code)
        {
            switch (code)
            {
                case Conv2D: case DepthwiseConv2D: return 13;
                case FullyConnected: return 7;
                default: return -1;
            }
        }

        /// <summary>Minimum input count (optional inputs may be -1 in INDICES).</summary>
        public static int InputCount(int code)
        {
            switch (code)
            {
                case Conv2D: case DepthwiseConv2D: case FullyConnected: case TransposeConv: return 3;
                case Add: case Mul: case Sub: case Div: case Maximum: case Minimum: return 2;
                case SignalWindow: case SignalFilterBankSquareRoot: case SignalRfft: return 2;
                case SignalPcan: return 3;
                case SignalFilterBank: return 6;
                case Svdf: return 5;
                case UnidirectionalSequenceLstm: return UnidirectionalSequenceLstmInputs;
                default: return 1;
            }
        }

        /// <summary>
        /// Number of outputs (format 1.3): 2 for SIGNAL_FFT_AUTO_SCALE (output, scale bits) and
        /// SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION (output, noise estimate), 1 for every other op.
        /// </summary>
        public static int OutputCount(int code)
        {
            return code == SignalFftAutoScale || code == SignalFilterBankSpectralSubtraction ? 2 : 1;
        }

        /// <summary>Maximum input count: equal to <see cref="InputCount"/> except for CONCATENATION (1..10).</summary>
        public static int MaxInputCount(int code)
        {
            return code == Concatenation ? MaxConcatenationInputs : InputCount(code);
        }

        /// <summary>The format minor version that introduced an op code (0 for 1.0's codes, 1 for 9..20, 3 for 21..40).</summary>
        public static int SinceMinorVersion(int code)
        {
            return code >= Dequantize ? 3 : code >= Mul ? 1 : 0;
        }
    }

    /// <summary>
    /// CRC-32 (IEEE 802.3 / zlib): reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF.
    /// Table-free, so it needs no RAM (the usual 256-entry table costs 1 KB, more than the whole
    /// runtime state of a small model): the CRC is linear over GF(2), so the table entry for a byte
    /// x is the XOR of the entries for its set bits, Bit0..Bit7 below. Those eight XORs do not
    /// depend on each other, which keeps this within a few times the table's speed.
    /// </summary>
    public static class Crc32
    {
        // Table entries for the single-bit bytes 1, 2, 4, ..., 128 (each = that byte shifted
        // eight times through the reflected polynomial).
        const uint Bit0 = 0x77073096u, Bit1 = 0xEE0E612Cu, Bit2 = 0x076DC419u, Bit3 = 0x0EDB8832u,
            Bit4 = 0x1DB71064u, Bit5 = 0x3B6E20C8u, Bit6 = 0x76DC4190u, Bit7 = 0xEDB88320u;

        public static uint Compute(byte[] data, int start, int length)
        {
            uint crc = 0xFFFFFFFFu;
            int end = start + length;
            for (int i = start; i < end; i++)
            {
                uint x = (crc ^ data[i]) & 0xFF;
                // 0u - bit is all ones when the bit is set, zero otherwise.
                crc = (crc >> 8)
                    ^ (Bit0 & (0u - (x & 1))) ^ (Bit1 & (0u - ((x >> 1) & 1)))
                    ^ (Bit2 & (0u - ((x >> 2) & 1))) ^ (Bit3 & (0u - ((x >> 3) & 1)))
                    ^ (Bit4 & (0u - ((x >> 4) & 1))) ^ (Bit5 & (0u - ((x >> 5) & 1)))
                    ^ (Bit6 & (0u - ((x >> 6) & 1))) ^ (Bit7 & (0u - (x >> 7)));
            }
            return crc ^ 0xFFFFFFFFu;
        }
    }
}
