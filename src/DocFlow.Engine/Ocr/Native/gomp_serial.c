/*
 * libdocflow-gomp-serial: serial stand-ins for the libgomp (OpenMP) entry points libtesseract calls.
 *
 * DocFlow runs Tesseract with one OpenMP thread (OMP_THREAD_LIMIT=1: one engine per core is faster than threads
 * inside an engine). libgomp still opens and closes a one-thread team for every parallel region, and Tesseract's
 * LSTM enters one or more regions per layer per time step: each close ends in a futex wake system call. On the
 * 2-core virtual machine the project is measured on, system calls are costly; `docflow process` on 50 FUNSD forms
 * spent 4.3-4.5 s of its ~33 s of CPU in system time, most of it these wakes (docs/benchmarks.md, "Forms: OpenMP").
 *
 * Preloaded (LD_PRELOAD) by the ./docflow launcher, these definitions come before libgomp's for libtesseract's
 * references, which name the same symbol versions (see gomp_serial.map). Each region runs its body once on the calling
 * thread, which is what a one-thread team does: the results are the same, byte for byte. Anything else a program takes
 * from libgomp still comes from libgomp, which treats a construct outside a team as serial.
 *
 * Built by the launcher when a C compiler is present:
 *   cc -O2 -shared -fPIC -Wl,--version-script=gomp_serial.map -o libdocflow-gomp-serial.so gomp_serial.c
 */

typedef void (*outlined_fn)(void *);

/* The `parallel sections` construct being run on this thread: the next section to hand out and how many there are. */
static __thread unsigned section_next, section_count;

/* #pragma omp parallel: the body once, on this thread. */
void GOMP_parallel(outlined_fn fn, void *data, unsigned num_threads, unsigned flags)
{
    (void)num_threads;
    (void)flags;
    fn(data);
}

/* #pragma omp parallel sections: the body once; it asks for sections 1..count with GOMP_sections_next until 0. */
void GOMP_parallel_sections(outlined_fn fn, void *data, unsigned num_threads, unsigned count, unsigned flags)
{
    unsigned saved_next = section_next, saved_count = section_count;
    (void)num_threads;
    (void)flags;
    section_next = 1;
    section_count = count;
    fn(data);
    section_next = saved_next;
    section_count = saved_count;
}

unsigned GOMP_sections_next(void)
{
    return section_next <= section_count ? section_next++ : 0;
}

void GOMP_sections_end_nowait(void)
{
}

int omp_get_thread_num(void)
{
    return 0;
}

int omp_get_num_threads(void)
{
    return 1;
}
