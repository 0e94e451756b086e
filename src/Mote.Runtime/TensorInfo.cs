namespace Mote.Runtime
{
    /// <summary>
    /// One tensor of a loaded model: type, shape, where its bytes live, quantization. A snapshot of
    /// the blob's tensor record for tools and messages, built by <see cref="Model.GetTensor"/> on
    /// first request; the interpreter never needs it.
    /// </summary>
    public sealed class TensorInfo
    {
        public int Index { get; internal set; }
        /// <summary>One of <see cref="Format.DataType"/>.</summary>
        public int DataType { get; internal set; }
        /// <summary>Dimensions, row-major (NHWC for 4-D activations). Do not modify.</summary>
        public int[] Shape { get; internal set; }
        /// <summary>True when the bytes live in the blob (weights); false for arena activations.</summary>
        public bool IsConstant { get; internal set; }
        /// <summary>True for a variable (state) tensor: an arena tensor that keeps its bytes between invocations (format 1.3).</summary>
        public bool IsVariable { get; internal set; }
        /// <summary>Arena offset (activations) or absolute blob offset (constants).</summary>
        public int Start { get; internal set; }
        public int Bytes { get; internal set; }
        public int ZeroPoint { get; internal set; }
        /// <summary>Real scale (first channel for per-channel tensors); informational, the runtime never uses it.</summary>
        public float Scale { get; internal set; }
        /// <summary>Number of per-channel scales recorded for tools (0 or 1 for per-tensor).</summary>
        public int ScaleCount { get; internal set; }
        public int ScaleIndex { get; internal set; }
        // Names are for tools and messages: kept as a blob offset and decoded on request, so a
        // device does not hold a string per tensor. Each read of Name allocates (never in Invoke).
        internal byte[] NameBlob;
        internal int NameStart = -1;
        internal int NameEnd;

        public string Name
        {
            get
            {
                if (NameStart < 0) return "t" + Index;
                // Non-ASCII bytes become '?' (no UTF-8 decoder on every target).
                char[] chars = new char[NameEnd - NameStart];
                for (int k = 0; k < chars.Length; k++)
                {
                    byte c = NameBlob[NameStart + k];
                    chars[k] = c < 0x20 || c > 0x7E ? '?' : (char)c;
                }
                return new string(chars);
            }
        }
        /// <summary>Index of the tensor in the source model (.tflite), for tools.</summary>
        public int SourceIndex { get; internal set; }

        public int ElementCount
        {
            get
            {
                int n = 1;
                for (int i = 0; i < Shape.Length; i++) n *= Shape[i];
                return n;
            }
        }

        public string ShapeText()
        {
            string s = "[";
            for (int i = 0; i < Shape.Length; i++) s += (i > 0 ? "," : "") + Shape[i];
            return s + "]";
        }
    }

    /// <summary>One operator of a loaded model, as recorded in the blob; built by <see cref="Model.GetOperator"/> on first request.</summary>
    public sealed class OperatorInfo
    {
        public int Index { get; internal set; }
        /// <summary>One of <see cref="Format.OpCode"/>.</summary>
        public int Code { get; internal set; }
        /// <summary>Tensor indices of the inputs (-1 = absent optional input). Do not modify.</summary>
        public int[] Inputs { get; internal set; }
        public int[] Outputs { get; internal set; }
        public int ParamStart { get; internal set; }
        public int ParamCount { get; internal set; }
        public int SourceIndex { get; internal set; }
        public int SourceBuiltinCode { get; internal set; }
        /// <summary>Prepared kernel parameters (ConvParams, AddParams, ...), or null for RESHAPE and SQUEEZE.</summary>
        public object Params { get; internal set; }
        /// <summary>
        /// Absolute blob offsets of the multiplier and shift tables, or -1. Their channel stride (one
        /// entry per channel, or one shared entry) is the prepared parameters' RequantStride.
        /// </summary>
        public int MultiplierStart { get; internal set; }
        public int ShiftStart { get; internal set; }
        public string Name { get { return Format.OpCode.Name(Code); } }
    }
}
