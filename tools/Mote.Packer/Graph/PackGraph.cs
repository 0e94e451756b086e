using System;
using System.Collections.Generic;
using Mote.Runtime.Format;

namespace Mote.Packer.Graph
{
    /// <summary>A tensor of the packer's graph: what the blob's tensor record will say, plus constant data.</summary>
    public sealed class PackTensor
    {
        public int Index;
        public int DataType;
        public int[] Shape = Array.Empty<int>();
        /// <summary>Constant bytes (weights, bias) or null for an activation.</summary>
        public byte[] Data;
        public int ZeroPoint;
        /// <summary>Real scales (one per channel for per-channel weights); empty when not quantized.</summary>
        public float[] Scales = Array.Empty<float>();
        public string Name = "";
        /// <summary>Index in the source model, for tools and messages.</summary>
        public int SourceIndex = -1;
        /// <summary>Arena offset chosen by the planner (activations only).</summary>
        public int ArenaOffset = -1;

        public bool IsConstant => Data != null;
        /// <summary>
        /// A variable (state) tensor (TFLite's is_variable): an activation that keeps its bytes between
        /// invocations, so the planner gives it arena space no other tensor shares (format 1.3).
        /// </summary>
        public bool IsVariable;

        public long ElementCount
        {
            get
            {
                long n = 1;
                foreach (int d in Shape) n *= d;
                return n;
            }
        }

        public int Bytes => checked((int)(ElementCount * Runtime.Format.DataType.Size(DataType)));

        public string ShapeText => "[" + string.Join(",", Shape) + "]";

        public string Describe => $"tensor {SourceIndex} '{Name}' {Runtime.Format.DataType.Name(DataType)}{ShapeText}";
    }

    /// <summary>An operator of the packer's graph with its parameter words already computed.</summary>
    public sealed class PackOperator
    {
        public int Code;
        /// <summary>Tensor indices into <see cref="PackGraph.Tensors"/>; -1 = absent optional input.</summary>
        public int[] Inputs = Array.Empty<int>();
        public int[] Outputs = Array.Empty<int>();
        /// <summary>
        /// Parameter words as in docs/blob-format.md §6, in the 1.0/1.1 form (no requantization stride
        /// word; the writer adds it when the tables are shared). Table words are placeholders: the writer
        /// puts the tables' blob offsets into its own copy.
        /// </summary>
        public int[] Params = Array.Empty<int>();
        /// <summary>
        /// Per-channel requantization tables (one entry per output channel, also for per-tensor weights:
        /// the writer stores equal entries once) and the parameter word each one's blob offset goes to.
        /// </summary>
        public int[] Multipliers, Shifts;
        public int MultiplierWord = -1, ShiftWord = -1;
        public int SourceIndex = -1;
        public int SourceBuiltinCode = -1;
        public string SourceName = "";
        /// <summary>Multiply-accumulates per invoke (for the report).</summary>
        public long Macs;

        public string Name => OpCode.Name(Code);
    }

    public sealed class PackGraph
    {
        public readonly List<PackTensor> Tensors = new();
        public readonly List<PackOperator> Operators = new();
        public int[] Inputs = Array.Empty<int>();
        public int[] Outputs = Array.Empty<int>();
        public int ArenaBytes;
        /// <summary>The arena plan (offsets, in-place reuses, scratch, lower bound, winning strategy); set by the planner.</summary>
        public Mote.Packer.Planning.ArenaPlan Plan;
        /// <summary>Where the graph came from (file name), for messages.</summary>
        public string SourceName = "";

        public PackTensor AddTensor(PackTensor t)
        {
            t.Index = Tensors.Count;
            Tensors.Add(t);
            return t;
        }
    }
}
