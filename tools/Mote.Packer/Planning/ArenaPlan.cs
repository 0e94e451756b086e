using System;
using System.Collections.Generic;

namespace Mote.Packer.Planning
{
    /// <summary>The order in which a strategy places buffers (each then goes to the lowest or tightest free range).</summary>
    public enum PlanOrder
    {
        /// <summary>Largest first (TFLM's greedy planner orders this way).</summary>
        Size,
        /// <summary>Most conflicting bytes first: the sum of the sizes of the buffers whose lifetimes overlap its own.</summary>
        Conflict,
        /// <summary>Highest pressure first: the largest live set (bytes) at any step of its lifetime.</summary>
        Pressure,
        /// <summary>Earliest first use first.</summary>
        FirstUse,
        /// <summary>Longest lifetime first.</summary>
        Lifetime,
    }

    /// <summary>Where a buffer goes among the free ranges left by the placed buffers it conflicts with.</summary>
    public enum PlanFit
    {
        /// <summary>The lowest offset where it fits.</summary>
        First,
        /// <summary>The smallest free range that holds it; the top of the stack when none does.</summary>
        Best,
    }

    /// <summary>How <see cref="ArenaPlanner"/> plans.</summary>
    public sealed class PlanOptions
    {
        /// <summary>Kernel tier the blob is planned for: decides which kernels may run in place and their scratch.</summary>
        public string KernelTier { get; init; } = InPlaceRules.ReferenceTier;

        /// <summary>Allow in-place reuse (<see cref="InPlaceRules"/>). Plans without it are still tried and kept when smaller.</summary>
        public bool InPlace { get; init; } = true;

        public IReadOnlyList<PlanOrder> Orders { get; init; } =
            new[] { PlanOrder.Size, PlanOrder.Conflict, PlanOrder.Pressure, PlanOrder.FirstUse, PlanOrder.Lifetime };

        /// <summary>
        /// Let elementwise kernels write over a model input (or a view of one) that dies at them. Off by default:
        /// with it the caller's input bytes are garbage after Invoke (the runtime's API then must say so).
        /// </summary>
        public bool OverwriteModelInputs { get; init; }

        public IReadOnlyList<PlanFit> Fits { get; init; } = new[] { PlanFit.First, PlanFit.Best };

        /// <summary>Placements the improvement search tries after the strategies (0 = none). Deterministic (fixed seed).</summary>
        public int SearchIterations { get; init; } = 400;

        /// <summary>Scratch bytes per operator; null = <see cref="ArenaPlanner.ScratchBytes"/> for <see cref="KernelTier"/>. For tests.</summary>
        public Func<Graph.PackOperator, int> Scratch { get; init; }

        /// <summary>The planner before in-place reuse and best-of: greedy by size, first fit, no aliasing.</summary>
        public static PlanOptions Baseline => new()
        {
            InPlace = false,
            Orders = new[] { PlanOrder.Size },
            Fits = new[] { PlanFit.First },
            SearchIterations = 0,
        };
    }

    /// <summary>
    /// One arena region: a group of tensors that share bytes through in-place reuse (usually one tensor), or an
    /// operator's kernel scratch (<see cref="ScratchOp"/> ≥ 0, live only at that step).
    /// </summary>
    public sealed class PlanBuffer
    {
        public int Id;
        /// <summary>Tensors at this offset, in lifetime order (empty for scratch).</summary>
        public int[] Tensors = Array.Empty<int>();
        public int ScratchOp = -1;
        /// <summary>First and last step it is live (model inputs from step -1, model outputs to step = operator count).</summary>
        public int First, Last;
        public int Bytes;
        public int Offset = -1;
    }

    /// <summary>The result of planning: offsets, arena size, lower bound and how the plan was found.</summary>
    public sealed class ArenaPlan
    {
        /// <summary>Arena size (multiple of 16).</summary>
        public int ArenaBytes { get; init; }

        /// <summary>
        /// Lower bound: the largest number of bytes that must be live at one step, where an in-place pair (an
        /// operator's dying input and its output) counts once and an operator's scratch counts at its step.
        /// Ignores alignment. No plan under the same in-place rules can be smaller.
        /// </summary>
        public long LowerBound { get; init; }

        /// <summary>The same with every buffer rounded up to 16 bytes (each offset is 16-aligned, so also a bound).</summary>
        public long AlignedLowerBound { get; init; }

        /// <summary>The winning strategy, e.g. "conflict, best fit, in place".</summary>
        public string Strategy { get; init; }

        /// <summary>In-place reuses the plan applies (empty when the winner plans without them).</summary>
        public IReadOnlyList<PlanAlias> Aliases { get; init; }

        /// <summary>In-place reuses the rules allowed (the lower bounds count these pairs once); empty when planned without in-place reuse.</summary>
        public IReadOnlyList<PlanAlias> AllowedAliases { get; init; }

        /// <summary>Per tensor: arena offset, or -1 (constant, or not used by any operator).</summary>
        public int[] TensorOffsets { get; init; }

        /// <summary>Per operator: scratch bytes for the kernel tier (0 for the reference kernels) and their offset (-1 if none).</summary>
        public int[] ScratchBytes { get; init; }
        public int[] ScratchOffsets { get; init; }

        public IReadOnlyList<PlanBuffer> Buffers { get; init; }

        /// <summary>Every strategy tried and its arena, in the order tried (ties go to the earliest).</summary>
        public IReadOnlyList<(string Strategy, int ArenaBytes)> Candidates { get; init; }

        /// <summary>Whether the arena equals the aligned lower bound (no 16-aligned plan can be smaller).</summary>
        public bool IsOptimal => ArenaBytes == AlignedLowerBound;
    }
}
