using System.Runtime.InteropServices;

namespace LocalQa.Llama.Native;

// Declarations for the part of llama.h LocalQa uses, grouped as the header groups them.
// Every caller validates arguments in C# first (see LlamaContext/LlamaModel): llama.cpp aborts the
// process on many bad inputs rather than returning an error.
internal static unsafe partial class LlamaNative
{
    static LlamaNative() => NativeRuntime.RegisterResolver();

    internal const string Lib = "llama";

    // ---- library ----
    [LibraryImport(Lib, EntryPoint = "llama_version")]
    internal static partial byte* llama_version();

    [LibraryImport(Lib)]
    internal static partial void llama_backend_init();

    [LibraryImport(Lib)]
    internal static partial byte* llama_print_system_info();

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_gpu_offload();

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_mmap();

    [LibraryImport(Lib)]
    internal static partial nuint llama_max_parallel_sequences();

    [LibraryImport(Lib)]
    internal static partial void llama_log_set(delegate* unmanaged<int, byte*, nint, void> callback, nint userData);

    [LibraryImport(Lib)]
    internal static partial long llama_time_us();

    // ---- params ----
    [LibraryImport(Lib)]
    internal static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(Lib)]
    internal static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(Lib)]
    internal static partial LlamaSamplerChainParams llama_sampler_chain_default_params();

    // ---- model ----
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint llama_model_load_from_file(string path, LlamaModelParams parameters);

    [LibraryImport(Lib)]
    internal static partial void llama_model_free(nint model);

    [LibraryImport(Lib)]
    internal static partial nint llama_model_get_vocab(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    internal static partial int llama_model_n_ctx_train(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    internal static partial int llama_model_n_embd(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    internal static partial int llama_model_n_layer(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    internal static partial int llama_model_n_head(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    internal static partial int llama_model_n_head_kv(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    internal static partial ulong llama_model_size(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    internal static partial ulong llama_model_n_params(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    internal static partial int llama_model_desc(SafeLlamaModelHandle model, byte* buf, nuint bufSize);

    [LibraryImport(Lib)]
    internal static partial int llama_model_meta_count(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    internal static partial int llama_model_meta_key_by_index(SafeLlamaModelHandle model, int i, byte* buf, nuint bufSize);

    [LibraryImport(Lib)]
    internal static partial int llama_model_meta_val_str_by_index(SafeLlamaModelHandle model, int i, byte* buf, nuint bufSize);

    [LibraryImport(Lib)]
    internal static partial byte* llama_model_chat_template(SafeLlamaModelHandle model, byte* name);

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_model_has_encoder(SafeLlamaModelHandle model);

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_model_has_decoder(SafeLlamaModelHandle model);

    // ---- vocab (the vocab pointer lives as long as its model; callers hold the model handle) ----
    [LibraryImport(Lib)]
    internal static partial int llama_vocab_n_tokens(nint vocab);

    [LibraryImport(Lib)]
    internal static partial int llama_vocab_type(nint vocab);

    [LibraryImport(Lib)]
    internal static partial int llama_vocab_bos(nint vocab);

    [LibraryImport(Lib)]
    internal static partial int llama_vocab_eos(nint vocab);

    [LibraryImport(Lib)]
    internal static partial int llama_vocab_eot(nint vocab);

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_eog(nint vocab, int token);

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_control(nint vocab, int token);

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_bos(nint vocab);

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_eos(nint vocab);

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_sep(nint vocab);

    [LibraryImport(Lib)]
    internal static partial int llama_vocab_sep(nint vocab);

    [LibraryImport(Lib)]
    internal static partial int llama_tokenize(nint vocab, byte* text, int textLen, int* tokens, int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    [LibraryImport(Lib)]
    internal static partial int llama_token_to_piece(nint vocab, int token, byte* buf, int length, int lstrip,
        [MarshalAs(UnmanagedType.U1)] bool special);

    [LibraryImport(Lib)]
    internal static partial int llama_detokenize(nint vocab, int* tokens, int nTokens, byte* text, int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    [LibraryImport(Lib)]
    internal static partial int llama_chat_apply_template(byte* tmpl, LlamaChatMessageNative* chat, nuint nMsg,
        [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buf, int length);

    // ---- context ----
    [LibraryImport(Lib)]
    internal static partial nint llama_init_from_model(SafeLlamaModelHandle model, LlamaContextParams parameters);

    [LibraryImport(Lib)]
    internal static partial void llama_free(nint ctx);

    [LibraryImport(Lib)]
    internal static partial uint llama_n_ctx(SafeLlamaContextHandle ctx);

    [LibraryImport(Lib)]
    internal static partial uint llama_n_ctx_seq(SafeLlamaContextHandle ctx);

    [LibraryImport(Lib)]
    internal static partial uint llama_n_batch(SafeLlamaContextHandle ctx);

    [LibraryImport(Lib)]
    internal static partial uint llama_n_ubatch(SafeLlamaContextHandle ctx);

    [LibraryImport(Lib)]
    internal static partial uint llama_n_seq_max(SafeLlamaContextHandle ctx);

    [LibraryImport(Lib)]
    internal static partial int llama_pooling_type(SafeLlamaContextHandle ctx);

    [LibraryImport(Lib)]
    internal static partial nint llama_get_memory(SafeLlamaContextHandle ctx);

    [LibraryImport(Lib)]
    internal static partial int llama_decode(SafeLlamaContextHandle ctx, LlamaBatchNative batch);

    [LibraryImport(Lib)]
    internal static partial void llama_set_n_threads(SafeLlamaContextHandle ctx, int nThreads, int nThreadsBatch);

    [LibraryImport(Lib)]
    internal static partial void llama_set_embeddings(SafeLlamaContextHandle ctx, [MarshalAs(UnmanagedType.U1)] bool embeddings);

    [LibraryImport(Lib)]
    internal static partial void llama_set_abort_callback(SafeLlamaContextHandle ctx, delegate* unmanaged<nint, byte> callback, nint data);

    [LibraryImport(Lib)]
    internal static partial void llama_synchronize(SafeLlamaContextHandle ctx);

    [LibraryImport(Lib)]
    internal static partial float* llama_get_logits_ith(SafeLlamaContextHandle ctx, int i);

    [LibraryImport(Lib)]
    internal static partial float* llama_get_embeddings_ith(SafeLlamaContextHandle ctx, int i);

    [LibraryImport(Lib)]
    internal static partial float* llama_get_embeddings_seq(SafeLlamaContextHandle ctx, int seqId);

    [LibraryImport(Lib)]
    internal static partial LlamaPerfContextData llama_perf_context(SafeLlamaContextHandle ctx);

    [LibraryImport(Lib)]
    internal static partial void llama_perf_context_reset(SafeLlamaContextHandle ctx);

    // ---- memory (KV cache); the memory pointer belongs to its context ----
    [LibraryImport(Lib)]
    internal static partial void llama_memory_clear(nint mem, [MarshalAs(UnmanagedType.U1)] bool data);

    [LibraryImport(Lib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_memory_seq_rm(nint mem, int seqId, int p0, int p1);

    [LibraryImport(Lib)]
    internal static partial void llama_memory_seq_cp(nint mem, int seqSrc, int seqDst, int p0, int p1);

    [LibraryImport(Lib)]
    internal static partial void llama_memory_seq_keep(nint mem, int seqId);

    [LibraryImport(Lib)]
    internal static partial int llama_memory_seq_pos_min(nint mem, int seqId);

    [LibraryImport(Lib)]
    internal static partial int llama_memory_seq_pos_max(nint mem, int seqId);

    // ---- batch ----
    [LibraryImport(Lib)]
    internal static partial LlamaBatchNative llama_batch_init(int nTokens, int embd, int nSeqMax);

    [LibraryImport(Lib)]
    internal static partial void llama_batch_free(LlamaBatchNative batch);

    // ---- samplers ----
    [LibraryImport(Lib)]
    internal static partial nint llama_sampler_chain_init(LlamaSamplerChainParams parameters);

    [LibraryImport(Lib)]
    internal static partial void llama_sampler_chain_add(SafeLlamaSamplerHandle chain, nint sampler);

    [LibraryImport(Lib)]
    internal static partial nint llama_sampler_init_greedy();

    [LibraryImport(Lib)]
    internal static partial nint llama_sampler_init_dist(uint seed);

    [LibraryImport(Lib)]
    internal static partial nint llama_sampler_init_top_k(int k);

    [LibraryImport(Lib)]
    internal static partial nint llama_sampler_init_top_p(float p, nuint minKeep);

    [LibraryImport(Lib)]
    internal static partial nint llama_sampler_init_min_p(float p, nuint minKeep);

    [LibraryImport(Lib)]
    internal static partial nint llama_sampler_init_temp(float t);

    [LibraryImport(Lib)]
    internal static partial nint llama_sampler_init_penalties(int nVocab, int penaltyLastN, float penaltyRepeat, float penaltyFreq, float penaltyPresent);

    [LibraryImport(Lib)]
    internal static partial int llama_sampler_sample(SafeLlamaSamplerHandle sampler, SafeLlamaContextHandle ctx, int idx);

    [LibraryImport(Lib)]
    internal static partial void llama_sampler_accept(SafeLlamaSamplerHandle sampler, int token);

    [LibraryImport(Lib)]
    internal static partial void llama_sampler_reset(SafeLlamaSamplerHandle sampler);

    [LibraryImport(Lib)]
    internal static partial void llama_sampler_free(nint sampler);
}
