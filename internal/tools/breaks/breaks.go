package main

// breakCase is one way of breaking one correct kernel function or owner
// type.
type breakCase struct {
	N    int
	Fn   string // the function or type broken
	File string // relative to the kernel root
	What string // the break, for the table
	// Old is replaced by New in File; Old must occur exactly once.
	Old, New string
	// Anchor is text on the line (of the broken file) where Code must be
	// reported; it must occur exactly once after the break.
	Anchor string
	Code   string
	// Why explains a break rivet is known to miss.
	Why string
}

// rounds are the breaks, grouped so that no two in a round interfere.
func rounds() [][]breakCase {
	return [][]breakCase{
		{
			{
				N: 1, Fn: "Page::alloc_page", File: "rust/kernel/page.rs",
				What: "early return between alloc_pages and `Self` owning the page",
				Old: `        let page = NonNull::new(page).ok_or(AllocError)?;
`,
				New: `        let page = NonNull::new(page).ok_or(AllocError)?;
        if flags.as_raw() == 0 {
            return Err(AllocError);
        }
`,
				Anchor: "let page = unsafe { bindings::alloc_pages(flags.as_raw(), 0) };",
				Code:   "lifecycle-leak",
			},
			{
				N: 2, Fn: "Drop for Page", File: "rust/kernel/page.rs",
				What:   "__free_pages swapped for kfree",
				Old:    `unsafe { bindings::__free_pages(self.page.as_ptr(), 0) };`,
				New:    `unsafe { bindings::kfree(self.page.as_ptr().cast()) };`,
				Anchor: `unsafe { bindings::kfree(self.page.as_ptr().cast()) };`,
				Code:   "lifecycle-mismatched-release",
			},
			{
				N: 3, Fn: "Drop for Regulator", File: "rust/kernel/regulator.rs",
				What: "regulator_put dropped (regulator_disable stays)",
				Old: `        unsafe { bindings::regulator_put(self.inner) };
`,
				New:    "",
				Anchor: "bindings::regulator_get(dev.as_raw(), name.as_char_ptr())",
				Code:   "lifecycle-leak",
			},
			{
				N: 4, Fn: "Entry::dir", File: "rust/kernel/debugfs/entry.rs",
				What: "debugfs_remove after `Entry` owns the dentry (released twice)",
				Old: `        Entry {
            entry,
            _parent: None,
            _phantom: PhantomData,
        }
    }

    pub(crate) fn file<T>(`,
				New: `        let this = Entry {
            entry,
            _parent: None,
            _phantom: PhantomData,
        };
        // SAFETY: ` + "`entry`" + ` came from debugfs_create_dir.
        unsafe { bindings::debugfs_remove(entry) }; // break 4
        this
    }

    pub(crate) fn file<T>(`,
				Anchor: "// break 4",
				Code:   "lifecycle-double-release",
			},
			{
				N: 5, Fn: "Drop for Clk", File: "rust/kernel/clk.rs",
				What:   "clk_put swapped for kfree",
				Old:    `unsafe { bindings::clk_put(self.as_raw()) };`,
				New:    `unsafe { bindings::kfree(self.as_raw().cast()) };`,
				Anchor: `unsafe { bindings::kfree(self.as_raw().cast()) };`,
				Code:   "lifecycle-mismatched-release",
			},
			{
				N: 6, Fn: "Drop for i2c::Registration", File: "rust/kernel/i2c.rs",
				What: "i2c_unregister_device dropped",
				Old: `        unsafe { bindings::i2c_unregister_device(self.0.as_ptr()) }
`,
				New:    "",
				Anchor: "bindings::i2c_new_client_device(i2c_adapter.as_raw(), i2c_board_info.as_raw())",
				Code:   "lifecycle-leak",
				Why:    "only this Drop says that i2c_unregister_device releases what i2c_new_client_device returns (no naming convention, cleanup.h declaration or C body does): with it gone, the tree no longer tells rivet that anything must be released",
			},
			{
				N: 7, Fn: "IoPageTable::new", File: "rust/kernel/iommu/pgtable.rs",
				What: "early return between alloc_io_pgtable_ops and `IoPageTable` owning it",
				Old: `        // INVARIANT: We successfully created a valid page table.
        Ok(IoPageTable {`,
				New: `        if config.ias == 0 {
            return Err(EINVAL);
        }
        // INVARIANT: We successfully created a valid page table.
        Ok(IoPageTable {`,
				Anchor: "bindings::alloc_io_pgtable_ops(F::FORMAT, &mut raw_cfg, core::ptr::null_mut())",
				Code:   "lifecycle-leak",
			},
			{
				N: 8, Fn: "ShrinkablePageRange::register (binder)", File: "drivers/android/binder/page_range.rs",
				What: "early return between shrinker_alloc and registering the shrinker",
				Old: `        // SAFETY: We're about to register the shrinker, and these are the fields we need to
        // initialize. (All other fields are already zeroed.)`,
				New: `        if name.is_empty() {
            return Err(EINVAL);
        }
        // SAFETY: We're about to register the shrinker, and these are the fields we need to
        // initialize. (All other fields are already zeroed.)`,
				Anchor: "let shrinker = unsafe { bindings::shrinker_alloc(0, name.as_char_ptr()) };",
				Code:   "lifecycle-leak",
			},
			{
				N: 9, Fn: "GpuVmBoAlloc::obtain", File: "rust/kernel/drm/gpuvm/vm_bo.rs",
				What: "dma_resv_unlock dropped",
				Old: `            // SAFETY: We took the lock, so we can unlock it.
            unsafe { bindings::dma_resv_unlock(resv_lock) };
`,
				New:    "",
				Anchor: "unsafe { bindings::dma_resv_lock(resv_lock, ptr::null_mut()) };",
				Code:   "lock-imbalance",
			},
			{
				N: 10, Fn: "Process::debug_print (binder)", File: "drivers/android/binder/process.rs",
				What: "`drop(inner)` removed: GFP_KERNEL reserve under the process spinlock",
				Old: `                drop(inner);
                all_threads.reserve(num_threads, GFP_KERNEL)?;`,
				New:    `                all_threads.reserve(num_threads, GFP_KERNEL)?;`,
				Anchor: "all_threads.reserve(num_threads, GFP_KERNEL)?;",
				Code:   "sleep-in-atomic",
			},
			{
				N: 11, Fn: "Completion::wait_for_completion", File: "rust/kernel/sync/completion.rs",
				What: "wait_for_completion inside an RCU read-side section",
				Old: `        unsafe { bindings::wait_for_completion(self.as_raw()) };
`,
				New: `        let _rcu = crate::sync::rcu::read_lock();
        // SAFETY: as above.
        unsafe { bindings::wait_for_completion(self.as_raw()) };
`,
				Anchor: "unsafe { bindings::wait_for_completion(self.as_raw()) };",
				Code:   "sleep-in-atomic",
			},
		},
		{
			{
				N: 12, Fn: "Regulator::get_internal", File: "rust/kernel/regulator.rs",
				What: "regulator_put after `Self` owns the regulator (released twice)",
				Old: `        Ok(Self {
            inner,
            _phantom: PhantomData,
        })
    }

    fn enable_internal(&self) -> Result {`,
				New: `        let this = Self {
            inner,
            _phantom: PhantomData,
        };
        // SAFETY: ` + "`inner`" + ` came from regulator_get.
        unsafe { bindings::regulator_put(inner) }; // break 12
        Ok(this)
    }

    fn enable_internal(&self) -> Result {`,
				Anchor: "// break 12",
				Code:   "lifecycle-double-release",
			},
			{
				N: 13, Fn: "GpuVmBoAlloc::obtain", File: "rust/kernel/drm/gpuvm/vm_bo.rs",
				What: "dma_resv_unlock twice",
				Old: `            unsafe { bindings::dma_resv_unlock(resv_lock) };
`,
				New: `            unsafe { bindings::dma_resv_unlock(resv_lock) };
            // SAFETY: as above.
            unsafe { bindings::dma_resv_unlock(resv_lock) }; // break 13
`,
				Anchor: "// break 13",
				Code:   "lock-imbalance",
			},
			{
				N: 14, Fn: "PolicyCpu::from_cpu", File: "rust/kernel/cpufreq.rs",
				What: "early return between cpufreq_cpu_get and `Self` owning the policy",
				Old: `            NonNull::new(unsafe { bindings::cpufreq_cpu_get(u32::from(cpu)) }).ok_or(ENODEV)?;
`,
				New: `            NonNull::new(unsafe { bindings::cpufreq_cpu_get(u32::from(cpu)) }).ok_or(ENODEV)?;
        if u32::from(cpu) >= 4096 {
            return Err(EINVAL);
        }
`,
				Anchor: "NonNull::new(unsafe { bindings::cpufreq_cpu_get(u32::from(cpu)) })",
				Code:   "lifecycle-leak",
			},
			{
				N: 15, Fn: "rust_shrink_free_page (binder)", File: "drivers/android/binder/page_range.rs",
				What: "the caller's lru spinlock kept across zap_vma_range",
				Old: `    // SAFETY: The lru lock is locked when this method is called.
    unsafe { bindings::spin_unlock(&raw mut (*lru).lock) };

    if let Some(vma) = check_vma(&vma_read, range_ptr) {
        let user_page_addr = vma_addr + (page_index << PAGE_SHIFT);
        vma.zap_vma_range(user_page_addr, PAGE_SIZE);
    }
`,
				New: `    if let Some(vma) = check_vma(&vma_read, range_ptr) {
        let user_page_addr = vma_addr + (page_index << PAGE_SHIFT);
        vma.zap_vma_range(user_page_addr, PAGE_SIZE); // break 15
    }

    // SAFETY: The lru lock is locked when this method is called.
    unsafe { bindings::spin_unlock(&raw mut (*lru).lock) };
`,
				Anchor: "// break 15",
				Code:   "sleep-in-atomic",
				Why:    "the lock is taken by the C caller of this callback (list_lru_walk), which rivet does not follow into Rust, and the sleeping call is a kernel-crate method, not a C call",
			},
		},
	}
}
