using System.Runtime.InteropServices;

namespace LocalQa.Llama.Native;

internal sealed class SafeLlamaModelHandle : SafeHandle
{
    public SafeLlamaModelHandle() : base(0, ownsHandle: true) { }

    internal SafeLlamaModelHandle(nint handle) : this() => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}

/// <summary>A context holds a reference on its model so the model outlives every context made from it,
/// whatever order the managed owners are disposed or finalized in.</summary>
internal sealed class SafeLlamaContextHandle : SafeHandle
{
    private SafeLlamaModelHandle? _model;

    public SafeLlamaContextHandle() : base(0, ownsHandle: true) { }

    public override bool IsInvalid => handle == 0;

    internal static SafeLlamaContextHandle Create(SafeLlamaModelHandle model, LlamaContextParams parameters)
    {
        var success = false;
        model.DangerousAddRef(ref success);
        var ctx = LlamaNative.llama_init_from_model(model, parameters);
        if (ctx == 0)
        {
            model.DangerousRelease();
            return new SafeLlamaContextHandle();
        }
        var result = new SafeLlamaContextHandle { _model = model };
        result.SetHandle(ctx);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        _model?.DangerousRelease();
        _model = null;
        return true;
    }
}

internal sealed class SafeLlamaSamplerHandle : SafeHandle
{
    public SafeLlamaSamplerHandle() : base(0, ownsHandle: true) { }

    internal SafeLlamaSamplerHandle(nint handle) : this() => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}
